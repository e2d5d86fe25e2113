package sheet

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiedao/jiedao"
)

// TestReadWithin: each import's limits hold (rows beyond them and bytes
// beyond them are refused as too large); GBK CSV is read as Excel on a
// Chinese Windows saves it; row numbers are the file's, blank rows
// skipped; an old .xls is refused with a hint.
func TestReadWithin(t *testing.T) {
	csv := "日期,数量\n\n2023-05-01,3\n2023-05-02,4\n"
	tb, err := ReadWithin([]byte(csv), Limits{Bytes: 1 << 10, Rows: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Rows) != 3 || tb.Rows[1].Num != 3 || tb.Rows[2].Cells[1] != "4" || tb.Format != "csv" {
		t.Fatalf("rows %+v", tb.Rows)
	}
	long := "h\n" + strings.Repeat("x\n", 30)
	if _, err := ReadWithin([]byte(long), Limits{Bytes: 1 << 10, Rows: 5}); jiedao.ErrorCode(err) != jiedao.ETOOLARGE || !strings.Contains(err.Error(), "5") {
		t.Errorf("31 rows within 5: %v", err)
	}
	if _, err := ReadWithin([]byte(long), Limits{Bytes: 10, Rows: 100}); jiedao.ErrorCode(err) != jiedao.ETOOLARGE {
		t.Errorf("62 bytes within 10: %v", err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("社区,数量\n文华社区,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if tb, err := Read(gbk); err != nil || tb.Rows[1].Cells[0] != "文华社区" {
		t.Errorf("GBK CSV: %+v %v", tb, err)
	}
	if _, err := Read([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}); jiedao.ErrorCode(err) != jiedao.EUNSUPPORTED {
		t.Errorf("an .xls: %v", err)
	}
	if got := NormalizeHeader(" 联系电话（必填）* ："); got != "联系电话" {
		t.Errorf("header %q", got)
	}
}
