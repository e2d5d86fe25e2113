// Package ledger keeps the office's ledgers (台账): registers of what was
// done, whose types are data an admin defines without code — fields with
// types, which of them are measures and which are required — and whose
// entries (a day, a community, a place and the fields' values) keep every
// version with who made it and when. Sums, counts and distinct counts by
// period, community and type are the figures of the work report that
// ledgers hold (figures.go).
//
// The rules are in docs/books.md.
package ledger

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/org"
)

// FieldType is the kind of value a field holds.
type FieldType string

const (
	Text       FieldType = "text"       // 文本
	Number     FieldType = "number"     // 数字
	Money      FieldType = "money"      // 金额（元）
	Date       FieldType = "date"       // 日期 YYYY-MM-DD
	Person     FieldType = "person"     // 人员（姓名或编号）
	Place      FieldType = "place"      // 地点
	Community  FieldType = "community"  // 社区
	Enterprise FieldType = "enterprise" // 企业（名称或统一社会信用代码）
	Device     FieldType = "device"     // 设备（物联网设备编号）
	Choice     FieldType = "choice"     // 选项
)

// FieldTypes lists every field type in a stable order, for forms.
func FieldTypes() []FieldType {
	return []FieldType{Text, Number, Money, Date, Person, Place, Community, Enterprise, Device, Choice}
}

// Zh is the type's Chinese name.
func (t FieldType) Zh() string {
	switch t {
	case Text:
		return "文本"
	case Number:
		return "数字"
	case Money:
		return "金额"
	case Date:
		return "日期"
	case Person:
		return "人员"
	case Place:
		return "地点"
	case Community:
		return "社区"
	case Enterprise:
		return "企业"
	case Device:
		return "设备"
	case Choice:
		return "选项"
	}
	return string(t)
}

// Numeric reports whether values of the type are numbers (and may be a
// measure).
func (t FieldType) Numeric() bool { return t == Number || t == Money }

// Field is one column of a ledger type.
type Field struct {
	Key      string    `json:"key"`
	Name     string    `json:"name"`
	NameEn   string    `json:"name_en,omitempty"`
	Type     FieldType `json:"type"`
	Measure  bool      `json:"measure,omitempty"`  // summed in the ledger's figures
	Required bool      `json:"required,omitempty"` // a new or edited entry must fill it
	Choices  []string  `json:"choices,omitempty"`  // for Choice
	// Retired hides the field from forms and imports; its values stay.
	// A field is never removed, so that no value is ever lost.
	Retired bool `json:"retired,omitempty"`
}

// Type is a ledger type: what its entries record.
type Type struct {
	ID     int64  `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en,omitempty"`
	// UnitID is the unit that keeps the entries that belong to no
	// community (the subdistrict's own ledgers); 0: admins only.
	UnitID    int64     `json:"unit_id,omitempty"`
	Fields    []Field   `json:"fields"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Field returns the field of a key.
func (t *Type) Field(key string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Validate checks a type's definition.
func (t *Type) Validate() error {
	if !keyRE.MatchString(t.Code) {
		return jiedao.Invalid("code", "台账编码应为小写字母开头的字母、数字或下划线（至多40位）", "the code must be a lowercase letter followed by letters, digits or _ (at most 40)")
	}
	if strings.TrimSpace(t.Name) == "" || utf8.RuneCountInString(t.Name) > 60 {
		return jiedao.Invalid("name", "台账名称不能为空且不超过60字", "the name is required, at most 60 characters")
	}
	if len(t.Fields) == 0 || len(t.Fields) > 60 {
		return jiedao.Invalid("fields", "台账应有1到60个字段", "a ledger has 1 to 60 fields")
	}
	seen := map[string]bool{}
	for i, f := range t.Fields {
		at := fmt.Sprintf("fields[%d]", i)
		if !keyRE.MatchString(f.Key) || slices.Contains(reservedKeys, f.Key) {
			return jiedao.Invalid(at, fmt.Sprintf("第%d个字段的编码“%s”无效（小写字母开头，不能是 day、community、place）", i+1, f.Key),
				fmt.Sprintf("field %d: key %q is invalid (a lowercase letter first; not day, community or place)", i+1, f.Key))
		}
		if seen[f.Key] {
			return jiedao.Invalid(at, fmt.Sprintf("字段编码“%s”重复", f.Key), fmt.Sprintf("field key %q is repeated", f.Key))
		}
		seen[f.Key] = true
		if strings.TrimSpace(f.Name) == "" {
			return jiedao.Invalid(at, fmt.Sprintf("字段“%s”缺少名称", f.Key), fmt.Sprintf("field %q has no name", f.Key))
		}
		if !slices.Contains(FieldTypes(), f.Type) {
			return jiedao.Invalid(at, fmt.Sprintf("字段“%s”的类型“%s”无效", f.Name, f.Type), fmt.Sprintf("field %q: unknown type %q", f.Key, f.Type))
		}
		if f.Measure && !f.Type.Numeric() {
			return jiedao.Invalid(at, fmt.Sprintf("字段“%s”是%s，不能作为统计量（只有数字和金额可以）", f.Name, f.Type.Zh()),
				fmt.Sprintf("field %q is %s: only numbers and money can be measures", f.Key, f.Type))
		}
		if f.Type == Choice && len(f.Choices) == 0 {
			return jiedao.Invalid(at, fmt.Sprintf("选项字段“%s”至少要有一个选项", f.Name), fmt.Sprintf("choice field %q needs choices", f.Key))
		}
		if f.Retired && f.Required {
			return jiedao.Invalid(at, fmt.Sprintf("已停用的字段“%s”不能是必填", f.Name), fmt.Sprintf("retired field %q cannot be required", f.Key))
		}
	}
	return nil
}

// reservedKeys are the columns every entry has.
var reservedKeys = []string{"day", "community", "place", "id"}

// CheckChange checks a new definition of a type against the old one, so
// that changing a type with entries in it loses nothing: no field is
// removed (retire it instead), no field changes its type, no choice that
// may be in use disappears. Adding fields, making one required or a
// measure, renaming and adding choices are allowed; entries made before a
// field became required keep their empty value until they are next edited.
func CheckChange(old, nw *Type) error {
	if nw.Code != old.Code {
		return jiedao.Invalid("code", "台账编码不能修改", "a ledger's code cannot change")
	}
	for _, of := range old.Fields {
		nf, ok := nw.Field(of.Key)
		if !ok {
			return jiedao.Invalid("fields", fmt.Sprintf("不能删除字段“%s”：已有记录可能含有它的值，请改为停用", of.Name),
				fmt.Sprintf("field %q cannot be removed: entries may hold its values; retire it instead", of.Key))
		}
		if nf.Type != of.Type {
			return jiedao.Invalid("fields", fmt.Sprintf("不能修改字段“%s”的类型（%s → %s）", of.Name, of.Type.Zh(), nf.Type.Zh()),
				fmt.Sprintf("field %q cannot change type (%s to %s)", of.Key, of.Type, nf.Type))
		}
		for _, c := range of.Choices {
			if !slices.Contains(nf.Choices, c) {
				return jiedao.Invalid("fields", fmt.Sprintf("不能删除字段“%s”的选项“%s”", of.Name, c),
					fmt.Sprintf("field %q: choice %q cannot be removed", of.Key, c))
			}
		}
	}
	return nil
}

// Entry is one row of a ledger.
type Entry struct {
	ID          int64             `json:"id"`
	TypeID      int64             `json:"type_id"`
	Day         string            `json:"day"` // YYYY-MM-DD, China Standard Time
	CommunityID int64             `json:"community_id,omitempty"`
	Place       string            `json:"place,omitempty"`
	Values      map[string]string `json:"values"`
	Version     int               `json:"version"`
	// JurisdictionID is the subdistrict the entry belongs to: its
	// community's, else the one of whoever added it.
	JurisdictionID int64     `json:"jurisdiction_id,omitempty"`
	Deleted        bool      `json:"deleted,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedBy      string    `json:"created_by"`
	UpdatedAt      time.Time `json:"updated_at"`
	UpdatedBy      string    `json:"updated_by"`
}

// Version is one version of an entry, as it was saved.
type Version struct {
	Version     int               `json:"version"`
	Day         string            `json:"day"`
	CommunityID int64             `json:"community_id,omitempty"`
	Place       string            `json:"place,omitempty"`
	Values      map[string]string `json:"values"`
	Deleted     bool              `json:"deleted,omitempty"`
	At          time.Time         `json:"at"`
	ByID        int64             `json:"by_id,omitempty"`
	By          string            `json:"by"`
}

// EntryInput is an entry as a person types or imports it.
type EntryInput struct {
	Day         string `json:"day"`
	CommunityID int64  `json:"community_id,omitempty"`
	// JurisdictionID is the subdistrict a district actor adds an entry of
	// no community to (0: his own, or the one subdistrict there is).
	JurisdictionID int64             `json:"jurisdiction_id,omitempty"`
	Place          string            `json:"place,omitempty"`
	Values         map[string]string `json:"values"`
}

// ParseDay reads a day as YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD).
func ParseDay(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.NewReplacer("/", "-", ".", "-").Replace(s)
	t, err := time.ParseInLocation("2006-1-2", s, calendar.Zone())
	if err != nil {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// Check validates an input against the type and returns the entry's
// normalised values (numbers in plain decimal, days as YYYY-MM-DD). The
// error names the field, in Chinese first.
func (t *Type) Check(in EntryInput) (Entry, error) {
	day, ok := ParseDay(in.Day)
	if !ok {
		return Entry{}, jiedao.Invalid("day", "日期无效，应为“2023-05-01”的格式", "the day is invalid: use the form 2023-05-01")
	}
	place := strings.TrimSpace(in.Place)
	if utf8.RuneCountInString(place) > 200 {
		return Entry{}, jiedao.Invalid("place", "地点不超过200字", "the place is at most 200 characters")
	}
	out := Entry{TypeID: t.ID, Day: day, CommunityID: in.CommunityID, Place: place, Values: map[string]string{}}
	for k := range in.Values {
		if _, ok := t.Field(k); !ok {
			return Entry{}, jiedao.Invalid(k, fmt.Sprintf("台账“%s”没有字段“%s”", t.Name, k), fmt.Sprintf("ledger %q has no field %q", t.Code, k))
		}
	}
	for _, f := range t.Fields {
		raw := strings.TrimSpace(in.Values[f.Key])
		if raw == "" {
			if f.Required {
				return Entry{}, jiedao.Invalid(f.Key, fmt.Sprintf("请填写“%s”", f.Name), fmt.Sprintf("%s is required", nameEn(f)))
			}
			continue
		}
		if f.Retired {
			return Entry{}, jiedao.Invalid(f.Key, fmt.Sprintf("字段“%s”已停用，不能再填写", f.Name), fmt.Sprintf("field %s is retired", nameEn(f)))
		}
		v, err := checkValue(f, raw)
		if err != nil {
			return Entry{}, err
		}
		out.Values[f.Key] = v
	}
	return out, nil
}

func nameEn(f Field) string {
	if f.NameEn != "" {
		return f.NameEn
	}
	return f.Key
}

// checkValue checks one value of a field and returns it normalised.
func checkValue(f Field, raw string) (string, error) {
	bad := func(zh, en string) error {
		return jiedao.Invalid(f.Key, fmt.Sprintf("“%s”%s：%s", f.Name, zh, raw), fmt.Sprintf("%s %s: %s", nameEn(f), en, raw))
	}
	switch f.Type {
	case Number, Money:
		s := strings.ReplaceAll(strings.TrimSuffix(strings.TrimSuffix(raw, "元"), "¥"), ",", "")
		s = strings.TrimPrefix(s, "¥")
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e15 {
			return "", bad("应为数字", "must be a number")
		}
		if f.Type == Money {
			if v < 0 {
				return "", bad("金额不能为负", "must not be negative")
			}
			if math.Abs(v*100-math.Round(v*100)) > 1e-6 {
				return "", bad("金额最多保留两位小数", "has more than two decimals")
			}
		}
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case Date:
		d, ok := ParseDay(raw)
		if !ok {
			return "", bad("应为日期（如2023-05-01）", "must be a date such as 2023-05-01")
		}
		return d, nil
	case Choice:
		if !slices.Contains(f.Choices, raw) {
			return "", bad("不在可选项（"+strings.Join(f.Choices, "、")+"）中", "is not one of "+strings.Join(f.Choices, ", "))
		}
		return raw, nil
	}
	if utf8.RuneCountInString(raw) > 500 || strings.ContainsRune(raw, 0) {
		return "", bad("过长（至多500字）或含无效字符", "is too long (500 characters at most) or has an invalid character")
	}
	return raw, nil
}

// CanDefine reports whether the actor may create or change ledger types:
// admins only.
func CanDefine(a org.Actor) bool { return a.Is(org.RoleAdmin) || a.Kind == org.ActorSystem }

// CanEdit reports whether the actor may add or change an entry of the type
// in a community (0: the subdistrict's own entry). A community's entries
// are kept by its own staff; entries of no community by the staff of the
// type's unit. Admins fix anything; leaders and the command center read
// all but change nothing (org's model).
func CanEdit(a org.Actor, t *Type, communityID int64) bool {
	switch {
	case a.Kind == org.ActorSystem || a.Is(org.RoleAdmin):
		return true
	case communityID != 0:
		return a.Is(org.RoleCommunityStaff) && a.CommunityID == communityID
	default:
		return t.UnitID != 0 && a.Is(org.RoleUnitLead, org.RoleUnitHandler) && a.UnitID == t.UnitID
	}
}

// CanView reports whether the actor may read the entries of the type in a
// community: who sees all, who may edit them, and the staff of the type's
// unit (who keep the ledger).
func CanView(a org.Actor, t *Type, communityID int64) bool {
	if a.SeesAll() || CanEdit(a, t, communityID) {
		return true
	}
	return t.UnitID != 0 && a.Is(org.RoleUnitLead, org.RoleUnitHandler) && a.UnitID == t.UnitID
}

// ViewScope returns the community an actor is restricted to when reading
// a type's entries (0: all), and false when the actor sees none of them.
func ViewScope(a org.Actor, t *Type) (communityID int64, ok bool) {
	if a.SeesAll() || a.Kind == org.ActorSystem {
		return 0, true
	}
	if t.UnitID != 0 && a.Is(org.RoleUnitLead, org.RoleUnitHandler) && a.UnitID == t.UnitID {
		return 0, true
	}
	if a.Is(org.RoleCommunityStaff) && a.CommunityID != 0 {
		return a.CommunityID, true
	}
	return 0, false
}
