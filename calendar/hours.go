package calendar

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jiedao/jiedao"
)

// Segment is a stretch of working time within a day, in minutes after
// local midnight; End is exclusive and may be 1440 (24:00).
type Segment struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// String gives the segment as HH:MM-HH:MM.
func (s Segment) String() string { return clock(s.Start) + "-" + clock(s.End) }

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// WorkingHours are the segments of a working day, in order.
type WorkingHours []Segment

// DefaultWorkingHours is the usual office day of a subdistrict office:
// 08:30–12:00 and 13:30–17:30, 7.5 hours.
func DefaultWorkingHours() WorkingHours {
	return WorkingHours{{Start: 8*60 + 30, End: 12 * 60}, {Start: 13*60 + 30, End: 17*60 + 30}}
}

// String gives the hours as "08:30-12:00,13:30-17:30", the form
// ParseWorkingHours reads.
func (w WorkingHours) String() string {
	parts := make([]string, len(w))
	for i, s := range w {
		parts[i] = s.String()
	}
	return strings.Join(parts, ",")
}

// Validate requires at least one segment, each inside the day and not
// empty, in order and without overlap: the calendar's arithmetic relies on
// that order, and an empty day would make working time never pass.
func (w WorkingHours) Validate() error {
	if len(w) == 0 {
		return jiedao.Invalid("working_hours", "工作时段不能为空", "working hours need at least one segment")
	}
	if len(w) > 48 {
		return jiedao.Invalid("working_hours", "工作时段过多", "too many working hour segments")
	}
	for i, s := range w {
		if s.Start < 0 || s.End > 24*60 || s.Start >= s.End {
			return jiedao.Errorf(jiedao.EINVALID,
				"第%d个工作时段无效（开始%d分，结束%d分）：应在00:00至24:00之间，且开始早于结束",
				"working hour segment %d is invalid (start minute %d, end minute %d): it must lie within 00:00–24:00 and start before it ends",
				i+1, s.Start, s.End)
		}
		if i > 0 && s.Start < w[i-1].End {
			return jiedao.Errorf(jiedao.EINVALID,
				"第%d个工作时段与前一时段重叠或顺序颠倒", "working hour segment %d overlaps or precedes the one before it", i+1)
		}
	}
	return nil
}

// ParseWorkingHours reads hours written as "08:30-12:00,13:30-17:30", the
// way a settings form shows them.
func ParseWorkingHours(s string) (WorkingHours, error) {
	var w WorkingHours
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, ok := strings.Cut(part, "-")
		start, err1 := parseClock(a)
		end, err2 := parseClock(b)
		if !ok || err1 != nil || err2 != nil {
			return nil, jiedao.Invalid("working_hours", fmt.Sprintf("工作时段%q格式应为HH:MM-HH:MM", part),
				fmt.Sprintf("working hour segment %q must look like HH:MM-HH:MM", part))
		}
		w = append(w, Segment{Start: start, End: end})
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return w, nil
}

func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(mm) != 2 || len(hh) == 0 || len(hh) > 2 {
		return 0, fmt.Errorf("bad clock %q", s)
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("bad clock %q", s)
	}
	return h*60 + m, nil
}
