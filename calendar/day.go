package calendar

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
)

// DayKind says how a listed date departs from the Monday–Friday week.
type DayKind string

const (
	// Off is a day off: a public holiday, or a weekday given as rest in
	// exchange for a make-up workday.
	Off DayKind = "off"
	// Workday is a Saturday or Sunday that is a working day (调休上班).
	Workday DayKind = "workday"
)

// Valid reports whether k is one of the known kinds.
func (k DayKind) Valid() bool { return k == Off || k == Workday }

// DateLayout is the layout of Day.Date.
const DateLayout = "2006-01-02"

// TSVHeader is the first line of the calendar file.
const TSVHeader = "date\tkind\tname\tschedule_year"

// Day is one listed date of the official holiday schedule.
type Day struct {
	Date string  `json:"date"` // YYYY-MM-DD, a civil date in China
	Kind DayKind `json:"kind"`
	Name string  `json:"name"` // the holiday, e.g. 春节 or 春节调休上班
	// ScheduleYear is the year of the State Council notice that lists the
	// day; New Year's Eve can belong to the next year's schedule.
	ScheduleYear int `json:"schedule_year"`
}

// Validate checks one day on its own; duplicates are the caller's concern.
func (d Day) Validate() error {
	t, err := parseDate(d.Date)
	if err != nil {
		return jiedao.Invalid("date", fmt.Sprintf("日期%q无效，应为YYYY-MM-DD", d.Date),
			fmt.Sprintf("invalid date %q, want YYYY-MM-DD", d.Date))
	}
	if !d.Kind.Valid() {
		return jiedao.Invalid("kind", fmt.Sprintf("类型%q无效，应为off或workday", string(d.Kind)),
			fmt.Sprintf("unknown kind %q, want off or workday", string(d.Kind)))
	}
	// A make-up workday only means something on a weekend; on a weekday it
	// is almost certainly a typo in the date, which would go unnoticed.
	if wd := t.Weekday(); d.Kind == Workday && wd != time.Saturday && wd != time.Sunday {
		return jiedao.Invalid("kind", fmt.Sprintf("%s不是周六或周日，不能设为调休上班日", d.Date),
			fmt.Sprintf("%s is not a Saturday or Sunday and cannot be a make-up workday", d.Date))
	}
	name := strings.TrimSpace(d.Name)
	if name == "" {
		return jiedao.Invalid("name", "名称不能为空", "the name is required")
	}
	// Tabs and line breaks would break the TSV file the day is saved in.
	if strings.ContainsAny(d.Name, "\t\r\n") || len(d.Name) > 200 {
		return jiedao.Invalid("name", "名称不能含制表符或换行，且不超过200字节",
			"the name may not contain tabs or line breaks and is at most 200 bytes")
	}
	// A schedule covers its own year and reaches at most into the edges of
	// the years around it (New Year's Eve, a make-up day in January).
	if y := t.Year(); d.ScheduleYear < y-1 || d.ScheduleYear > y+1 {
		return jiedao.Invalid("schedule_year", fmt.Sprintf("安排年度%d与日期%s不符", d.ScheduleYear, d.Date),
			fmt.Sprintf("schedule year %d does not match date %s", d.ScheduleYear, d.Date))
	}
	return nil
}

// parseDate accepts exactly YYYY-MM-DD: time.Parse alone would let a
// later formatting difference slip through, so the round trip is checked.
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, err
	}
	if t.Format(DateLayout) != s {
		return time.Time{}, errors.New("not in canonical form")
	}
	return t, nil
}

// lineError prefixes an error with its line number in both languages, so
// that whoever edits the file can find the row.
func lineError(line int, err error) error {
	return prefixError(err, fmt.Sprintf("第%d行：", line), fmt.Sprintf("line %d: ", line))
}

// prefixError keeps the code and field of a *jiedao.Error and puts where
// it happened in front of both messages.
func prefixError(err error, zh, en string) error {
	var e *jiedao.Error
	if errors.As(err, &e) {
		return &jiedao.Error{Code: e.Code, Zh: zh + e.Zh, En: en + e.En, Field: e.Field}
	}
	return fmt.Errorf("%s%w", en, err)
}

// ParseTSV reads a calendar file: the header line TSVHeader, then one day
// per line with four tab-separated columns. Blank lines are skipped and
// spaces around a column are ignored, since the file is edited by hand.
// Errors name the line number; a bad date, an unknown kind, a missing
// column and a date listed twice are refused.
func ParseTSV(r io.Reader) ([]Day, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	var (
		days   []Day
		seen   = make(map[string]int)
		line   int
		header bool
	)
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			// Spreadsheet programs like to save UTF-8 with a BOM.
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		cols := strings.Split(text, "\t")
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		if !header {
			if strings.Join(cols, "\t") != TSVHeader {
				return nil, jiedao.Errorf(jiedao.EINVALID, "第%d行：表头应为 %s", "line %d: the header must be %s",
					line, strings.ReplaceAll(TSVHeader, "\t", "<TAB>"))
			}
			header = true
			continue
		}
		if len(cols) != 4 {
			return nil, jiedao.Errorf(jiedao.EINVALID,
				"第%d行：应有4列（date、kind、name、schedule_year，以制表符分隔），实有%d列",
				"line %d: want 4 tab-separated columns (date, kind, name, schedule_year), got %d",
				line, len(cols))
		}
		year, err := strconv.Atoi(cols[3])
		if err != nil {
			return nil, lineError(line, jiedao.Invalid("schedule_year",
				fmt.Sprintf("安排年度%q不是整数", cols[3]), fmt.Sprintf("schedule year %q is not a number", cols[3])))
		}
		d := Day{Date: cols[0], Kind: DayKind(cols[1]), Name: cols[2], ScheduleYear: year}
		if err := d.Validate(); err != nil {
			return nil, lineError(line, err)
		}
		if prev, ok := seen[d.Date]; ok {
			return nil, lineError(line, jiedao.Invalid("date",
				fmt.Sprintf("日期%s重复（已见于第%d行）", d.Date, prev),
				fmt.Sprintf("date %s is listed twice (first on line %d)", d.Date, prev)))
		}
		seen[d.Date] = line
		days = append(days, d)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, jiedao.Errorf(jiedao.EINVALID, "第%d行过长", "line %d is too long", line+1)
		}
		return nil, fmt.Errorf("calendar: read: %w", err)
	}
	if !header {
		return nil, jiedao.Errorf(jiedao.EINVALID, "第1行：缺少表头 %s", "line 1: missing header %s",
			strings.ReplaceAll(TSVHeader, "\t", "<TAB>"))
	}
	return days, nil
}

// WriteTSV writes days in the format ParseTSV reads, in the order given.
// It refuses what ParseTSV would refuse, so that a saved file always
// loads again.
func WriteTSV(w io.Writer, days []Day) error {
	seen := make(map[string]bool, len(days))
	for i, d := range days {
		if err := d.Validate(); err != nil {
			return prefixError(err, fmt.Sprintf("第%d条：", i+1), fmt.Sprintf("day %d: ", i+1))
		}
		if seen[d.Date] {
			return prefixError(errDuplicate(d.Date), fmt.Sprintf("第%d条：", i+1), fmt.Sprintf("day %d: ", i+1))
		}
		seen[d.Date] = true
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(TSVHeader + "\n")
	for _, d := range days {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%d\n", d.Date, d.Kind, strings.TrimSpace(d.Name), d.ScheduleYear)
	}
	return bw.Flush()
}

func errDuplicate(date string) error {
	return jiedao.Invalid("date", "日期"+date+"重复", "date "+date+" is listed twice")
}

func itoa(n int) string { return strconv.Itoa(n) }
