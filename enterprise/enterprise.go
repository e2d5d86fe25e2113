// Package enterprise is the 西湖企服 registry and the building economy:
// enterprises identified by their unified social credit code, the
// buildings, floors and rooms they rent, tenancy as a dated history, the
// tax bureau's monthly tax, the tiers of buildings computed from it, moves
// in and out of the subdistrict, visits and their plans, and the demands
// (诉求) that are cases in the one closed loop. Its rules are in
// docs/enterprise.md. Like the other domain packages it imports no storage
// and no HTTP; reading an imported XLSX file is the one use of excelize.
package enterprise

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Status is an enterprise's registration status.
type Status string

const (
	StatusActive     Status = "存续"
	StatusMovedOut   Status = "迁出"
	StatusDeregister Status = "注销"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusActive || s == StatusMovedOut || s == StatusDeregister
}

// Tag marks an enterprise for the office's lists.
type Tag string

const (
	TagHQListed Tag = "hq_listed" // 杭州市总部企业名单
	TagPlatform Tag = "platform"  // 平台经济
	TagListed   Tag = "listed"    // 上市企业
	TagUnicorn  Tag = "unicorn"   // 独角兽
	TagWaist    Tag = "waist"     // 腰部企业
	TagMicro    Tag = "micro"     // 小微企业
)

// Tags lists the tags in a stable order.
func Tags() []Tag { return []Tag{TagHQListed, TagPlatform, TagListed, TagUnicorn, TagWaist, TagMicro} }

// Zh is the tag's Chinese name.
func (t Tag) Zh() string {
	return map[Tag]string{TagHQListed: "总部企业", TagPlatform: "平台经济", TagListed: "上市企业",
		TagUnicorn: "独角兽", TagWaist: "腰部企业", TagMicro: "小微企业"}[t]
}

// ParseTag reads a tag by its code or Chinese name.
func ParseTag(s string) (Tag, bool) {
	s = strings.TrimSpace(s)
	for _, t := range Tags() {
		if string(t) == s || t.Zh() == s {
			return t, true
		}
	}
	return "", false
}

// CertKind is a certification an enterprise can be granted.
type CertKind string

const (
	CertHighTech    CertKind = "high_tech"      // 国家高新技术企业
	CertTechSME     CertKind = "sme_tech"       // 省科技型中小企业
	CertSpecialized CertKind = "specialized"    // 省专精特新企业
	CertInnovative  CertKind = "innovative_sme" // 创新型中小企业
)

// CertKinds lists the certifications in a stable order.
func CertKinds() []CertKind {
	return []CertKind{CertHighTech, CertTechSME, CertSpecialized, CertInnovative}
}

// Zh is the certification's Chinese name.
func (k CertKind) Zh() string {
	return map[CertKind]string{CertHighTech: "国家高新技术企业", CertTechSME: "省科技型中小企业",
		CertSpecialized: "省专精特新企业", CertInnovative: "创新型中小企业"}[k]
}

// ParseCertKind reads a certification by its code or Chinese name.
func ParseCertKind(s string) (CertKind, bool) {
	s = strings.TrimSpace(s)
	for _, k := range CertKinds() {
		if string(k) == s || k.Zh() == s {
			return k, true
		}
	}
	return "", false
}

// Date is a calendar day, "2006-01-02"; stored as that text on both
// engines, so that text order is date order.
type Date string

// DateOf returns the day of a time in China Standard Time.
func DateOf(t time.Time) Date { return Date(t.In(zone).Format(time.DateOnly)) }

var zone = time.FixedZone("CST", 8*3600)

// ParseDate reads a day as 2023-05-01, 2023/5/1, 2023.5.1 or 20230501.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02", "2006-1-2", "2006/1/2", "2006.1.2", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Date(t.Format(time.DateOnly)), nil
		}
	}
	return "", fmt.Errorf("not a date: %q", s)
}

// Time returns the day's midnight in China Standard Time.
func (d Date) Time() time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, string(d), zone)
	return t
}

// Year returns the day's year (0 for an empty date).
func (d Date) Year() int {
	if len(d) < 4 {
		return 0
	}
	y, _ := strconv.Atoi(string(d[:4]))
	return y
}

// AddDays returns the day n days later.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// YearBounds returns the first day of the year and of the next.
func YearBounds(year int) (Date, Date) {
	return Date(fmt.Sprintf("%04d-01-01", year)), Date(fmt.Sprintf("%04d-01-01", year+1))
}

// Money is an amount of yuan in fen (1/100 yuan), exact.
type Money int64

// Yuan returns whole yuan as Money.
func Yuan(y int64) Money { return Money(y * 100) }

// Yuan returns the amount in yuan.
func (m Money) Yuan() float64 { return float64(m) / 100 }

// String prints the amount in yuan with two decimals.
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)
}

// MarshalJSON writes the amount in yuan, as a number with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads an amount in yuan, a number or a string.
func (m *Money) UnmarshalJSON(b []byte) error {
	v, err := ParseMoney(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMoney reads an amount of yuan: 12345, 12,345.6, ¥12345.67.
func ParseMoney(s string) (Money, error) {
	s = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", " ", "", "元", "").Replace(strings.TrimSpace(s))
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		// Round half up to the fen.
		up := frac[2] >= '5'
		frac = frac[:2]
		if up {
			m, err := ParseMoney(whole + "." + frac)
			if err != nil {
				return 0, err
			}
			m++
			if neg {
				m = -m
			}
			return m, nil
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || whole == "" {
		return 0, fmt.Errorf("not an amount: %q", s)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("not an amount: %q", s)
	}
	m := Money(w*100 + f)
	if neg {
		m = -m
	}
	return m, nil
}

// Enterprise is a market entity in the subdistrict.
type Enterprise struct {
	ID          int64    `json:"id"`
	CreditCode  string   `json:"credit_code"`
	Name        string   `json:"name"`
	FormerNames []string `json:"former_names,omitempty"`
	// Industry is the GB/T 4754 class (门类 letter, or the class code,
	// e.g. "I6513").
	Industry     string `json:"industry,omitempty"`
	RegisteredOn Date   `json:"registered_on,omitempty"`
	Status       Status `json:"status"`
	Size         string `json:"size,omitempty"` // 大型, 中型, 小型, 微型
	Tags         []Tag  `json:"tags,omitempty"`
	// OnboardedOn is when it settled on the 西湖企服 platform (云上安家);
	// empty when it has not.
	OnboardedOn  Date   `json:"onboarded_on,omitempty"`
	ContactName  string `json:"contact_name,omitempty"`
	ContactPhone string `json:"contact_phone,omitempty"`
	// CodeOverride is the reason a code whose check character is wrong
	// was accepted (an early pilot code, legal as issued); empty for a
	// code that passes the check. Setting it is audited.
	CodeOverride string `json:"code_override,omitempty"`
	// JurisdictionID is the subdistrict whose registry holds it: its
	// certifications, tax, moves, visits and demands are that
	// subdistrict's.
	JurisdictionID int64 `json:"jurisdiction_id,omitempty"`
}

// HasTag reports whether the enterprise has the tag.
func (e *Enterprise) HasTag(t Tag) bool { return slices.Contains(e.Tags, t) }

// Masked returns the enterprise with its contact masked, as residents'
// contacts are for those who do not call them back.
func (e Enterprise) Masked() Enterprise {
	e.ContactName = org.MaskName(e.ContactName)
	e.ContactPhone = org.MaskPhone(e.ContactPhone)
	return e
}

func textField(field, zh, en, v string, max int, required bool) error {
	if required && strings.TrimSpace(v) == "" {
		return jiedao.Invalid(field, "请填写"+zh, en+" is required")
	}
	if strings.ContainsRune(v, 0) || !utf8.ValidString(v) || utf8.RuneCountInString(v) > max {
		e := jiedao.Errorf(jiedao.EINVALID, zh+"不能超过%d字且不能含空字符", en+" must be at most %d characters, without NUL", max)
		e.Field = field
		return e
	}
	return nil
}

// Validate checks an enterprise: its code (a wrong check character only
// with an override reason), name, status, tags and dates.
func (e *Enterprise) Validate() error {
	e.CreditCode = NormalizeCode(e.CreditCode)
	reason, err := CheckCode(e.CreditCode)
	switch {
	case reason == ReasonMalformed:
		return err
	case reason == ReasonWrongCheck && strings.TrimSpace(e.CodeOverride) == "":
		return err
	case reason == "" && e.CodeOverride != "":
		return jiedao.Invalid("code_override", "校验通过的代码无需例外说明", "a code that passes the check needs no override")
	}
	if err := textField("name", "企业名称", "name", e.Name, 200, true); err != nil {
		return err
	}
	for _, n := range e.FormerNames {
		if err := textField("former_names", "曾用名", "former name", n, 200, true); err != nil {
			return err
		}
	}
	for _, f := range []struct{ field, zh, en, v string }{
		{"industry", "行业", "industry", e.Industry}, {"size", "规模", "size", e.Size},
		{"contact_name", "联系人", "contact", e.ContactName}, {"contact_phone", "联系电话", "phone", e.ContactPhone},
		{"code_override", "例外说明", "override reason", e.CodeOverride}} {
		if err := textField(f.field, f.zh, f.en, f.v, 200, false); err != nil {
			return err
		}
	}
	if e.Status == "" {
		e.Status = StatusActive
	}
	if !e.Status.Valid() {
		return jiedao.Invalid("status", "状态应为存续、迁出或注销", "status must be 存续, 迁出 or 注销")
	}
	for _, t := range e.Tags {
		if _, ok := ParseTag(string(t)); !ok {
			return jiedao.Invalid("tags", "未知标签："+string(t), "unknown tag: "+string(t))
		}
	}
	for _, d := range []struct {
		field string
		v     Date
	}{{"registered_on", e.RegisteredOn}, {"onboarded_on", e.OnboardedOn}} {
		if d.v != "" {
			if _, err := ParseDate(string(d.v)); err != nil {
				return jiedao.Invalid(d.field, "日期格式应为 2023-05-01", "dates are written 2023-05-01")
			}
		}
	}
	return nil
}

// Certification is a title granted to an enterprise, from its award to
// its expiry (empty: none).
type Certification struct {
	ID           int64    `json:"id"`
	EnterpriseID int64    `json:"enterprise_id"`
	Kind         CertKind `json:"kind"`
	AwardedOn    Date     `json:"awarded_on"`
	ExpiresOn    Date     `json:"expires_on,omitempty"`
}

// Validate checks a certification.
func (c *Certification) Validate() error {
	if _, ok := ParseCertKind(string(c.Kind)); !ok {
		return jiedao.Invalid("kind", "未知的资质类型："+string(c.Kind), "unknown certification: "+string(c.Kind))
	}
	if _, err := ParseDate(string(c.AwardedOn)); err != nil {
		return jiedao.Invalid("awarded_on", "请填写认定日期（如 2023-05-01）", "the date of award is required (2023-05-01)")
	}
	if c.ExpiresOn != "" && c.ExpiresOn <= c.AwardedOn {
		return jiedao.Invalid("expires_on", "有效期截止日应晚于认定日期", "the expiry must be after the award")
	}
	return nil
}
