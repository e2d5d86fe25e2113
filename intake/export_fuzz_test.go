package intake

import "github.com/jiedao/jiedao/internal/sheet"

// What the fuzz targets of package intake_test (which needs package store,
// and store imports intake) reach of this package's unexported parsers.

// ReadTableCells reads an uploaded file as an import does and returns the
// cells of its non-blank rows.
func ReadTableCells(data []byte) ([][]string, error) {
	t, err := readTable(data)
	if err != nil {
		return nil, err
	}
	return cellsOf(t), nil
}

// ReadCSVCells reads a CSV file as an import does.
func ReadCSVCells(data []byte) ([][]string, error) {
	t, err := sheet.ReadCSV(data)
	if err != nil {
		return nil, err
	}
	return cellsOf(t), nil
}

func cellsOf(t *table) [][]string {
	out := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r.Cells
	}
	return out
}

// ValidAlarmID reports whether s is an alarm id the webhook accepts.
func ValidAlarmID(s string) bool { return alarmIDRE.MatchString(s) }
