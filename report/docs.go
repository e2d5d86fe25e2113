package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// DocStore keeps the document's words (every save a new version) and the
// overrides of figures (every change a new row).
type DocStore interface {
	// SaveTemplate stores a new version and returns it with its number.
	SaveTemplate(ctx context.Context, t TemplateVersion) (TemplateVersion, error)
	// Templates lists one jurisdiction's saved versions (0: the
	// deployment's own), newest first.
	Templates(ctx context.Context, jurisdiction int64) ([]TemplateVersion, error)
	// SaveOverride stores an override (or its withdrawal) as a new row.
	SaveOverride(ctx context.Context, o Override) (Override, error)
	// Overrides lists one jurisdiction's overrides of a year (0: the
	// deployment's own) in the order they were saved.
	Overrides(ctx context.Context, year int, jurisdiction int64) ([]Override, error)
}

// CaseReader counts and evaluates cases; casework.Service is one.
type CaseReader interface {
	Counter
	Evaluator
}

// Namer names the subdistrict and its units for the document.
type Namer interface {
	Names(ctx context.Context, a org.Actor) (jurisdiction string, units map[int64]string, err error)
}

// Docs is the work report as a document: its words, its overrides, and
// the assembly of the whole report of a year. The leaders and the admins
// read it; the admins (the office) edit its words and override figures.
type Docs struct {
	Store   DocStore
	Cases   CaseReader
	Names   Namer
	Sources []Source
	Now     func() time.Time
	// Audit, when set, records every save of the words and every override
	// in the audit trail, in the same transaction (docs/audit.md).
	Audit org.Auditor
}

// CanRead reports whether the actor may read the report and its history.
func CanRead(a org.Actor) bool {
	return a.Kind == org.ActorStaff && (a.Role == org.RoleLeader || a.Role == org.RoleAdmin)
}

func canRead(a org.Actor) error {
	if !CanRead(a) {
		return jiedao.Forbidden("只有领导和管理员可以查看工作报告", "only leaders and admins may read the work report")
	}
	return nil
}

func canEdit(a org.Actor) error {
	if a.Kind != org.ActorStaff || a.Role != org.RoleAdmin {
		return jiedao.Forbidden("只有管理员可以修改工作报告的文字和数据", "only admins may edit the work report's words and figures")
	}
	// A subdistrict's admin edits his subdistrict's own words and
	// overrides (kept apart by jurisdiction); the deployment's are the
	// district admin's (docs/jurisdictions.md).
	return nil
}

// Figures are every figure: the case figures and the sources'.
func (d *Docs) Figures() []Figure { return AllFigures(d.Sources...) }

// Template returns the words in use: the newest saved version, else the
// built-in template (version 0).
func (d *Docs) Template(ctx context.Context, a org.Actor) (TemplateVersion, error) {
	if err := canRead(a); err != nil {
		return TemplateVersion{}, err
	}
	// A subdistrict's own words, else the deployment's.
	for _, j := range []int64{a.JurisdictionID, 0} {
		vs, err := d.Store.Templates(ctx, j)
		if err != nil {
			return TemplateVersion{}, err
		}
		if len(vs) > 0 {
			return vs[0], nil
		}
		if j == 0 {
			break
		}
	}
	return TemplateVersion{Body: DefaultTemplate(d.Figures()), By: "jiedao", Note: "内置模板 / built-in"}, nil
}

// Versions lists the saved versions of the words, newest first.
func (d *Docs) Versions(ctx context.Context, a org.Actor) ([]TemplateVersion, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	return d.Store.Templates(ctx, a.JurisdictionID)
}

// SaveTemplate saves new words as a new version, after checking that
// every placeholder names a figure.
func (d *Docs) SaveTemplate(ctx context.Context, a org.Actor, body, note string) (TemplateVersion, error) {
	if err := canEdit(a); err != nil {
		return TemplateVersion{}, err
	}
	if err := ValidateTemplate(body, d.Figures()); err != nil {
		return TemplateVersion{}, err
	}
	if len(body) > 200_000 {
		return TemplateVersion{}, jiedao.Invalid("body", "模板过长（最多 200000 字节）", "the template is too long (200,000 bytes at most)")
	}
	var saved TemplateVersion
	err := org.Atomically(ctx, d.Audit, func(ctx context.Context) (err error) {
		saved, err = d.Store.SaveTemplate(ctx, TemplateVersion{Body: strings.ReplaceAll(body, "\r\n", "\n"), Note: strings.TrimSpace(note), By: a.Name, At: d.Now(),
			JurisdictionID: a.JurisdictionID})
		if err != nil {
			return err
		}
		return org.AuditRecord(ctx, d.Audit, a, "report_template.save", "report_template", saved.Version, nil,
			map[string]any{"version": saved.Version, "bytes": len(saved.Body)}, saved.Note)
	})
	return saved, err
}

// SetOverride overrides a figure of a year with a reason; a nil value
// withdraws the override (with a reason too).
func (d *Docs) SetOverride(ctx context.Context, a org.Actor, year int, key string, value *float64, reason string) (Override, error) {
	if err := canEdit(a); err != nil {
		return Override{}, err
	}
	f, ok := Lookup(key, d.Sources...)
	if !ok {
		return Override{}, jiedao.Invalid("key", "没有这个数据项："+key, "no such figure: "+key)
	}
	if f.Kind == KindTarget {
		return Override{}, jiedao.Invalid("key", "目标值不能改写："+key, "a target cannot be overridden: "+key)
	}
	if year < 2000 || year > 2100 {
		return Override{}, jiedao.Invalid("year", "年份应在 2000–2100 之间", "the year must be between 2000 and 2100")
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 4 {
		return Override{}, jiedao.Invalid("reason", "改写数据必须写明原因（至少 4 个字）", "an override needs its reason (4 characters at least)")
	}
	var saved Override
	err := org.Atomically(ctx, d.Audit, func(ctx context.Context) (err error) {
		saved, err = d.Store.SaveOverride(ctx, Override{Year: year, Key: key, Value: value, Reason: reason, By: a.Name, At: d.Now(),
			JurisdictionID: a.JurisdictionID})
		if err != nil {
			return err
		}
		action := "report_override.set"
		if value == nil {
			action = "report_override.withdraw"
		}
		return org.AuditRecord(ctx, d.Audit, a, action, "report_figure", fmt.Sprintf("%d/%s", year, key), nil,
			map[string]any{"year": year, "key": key, "value": value}, reason)
	})
	return saved, err
}

// Overrides returns a year's overrides in force (by key) and their whole
// history, oldest first.
func (d *Docs) Overrides(ctx context.Context, a org.Actor, year int) (map[string]Override, []Override, error) {
	if err := canRead(a); err != nil {
		return nil, nil, err
	}
	hist, err := d.Store.Overrides(ctx, year, a.JurisdictionID)
	if err != nil {
		return nil, nil, err
	}
	now := map[string]Override{}
	for _, o := range hist {
		if o.Value == nil {
			delete(now, o.Key)
		} else {
			now[o.Key] = o
		}
	}
	return now, hist, nil
}

// Report is the whole report of a year.
type Report struct {
	Year         int
	Jurisdiction string
	Values       []Value // every figure of the year, overrides applied
	Next         []Value // the figures of the next year (targets, progress)
	Eval         *Evaluation
	Doc          *Doc
	History      []Override
}

// Build assembles a year's report as the actor sees it: every figure with
// the year before, the overrides, the evaluation, the targets, and the
// document in the words in use.
func (d *Docs) Build(ctx context.Context, a org.Actor, year int) (*Report, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	tpl, err := d.Template(ctx, a)
	if err != nil {
		return nil, err
	}
	return d.BuildWith(ctx, a, year, tpl)
}

// BuildWith is Build with given words (a version to compare, a draft).
func (d *Docs) BuildWith(ctx context.Context, a org.Actor, year int, tpl TemplateVersion) (*Report, error) {
	if err := canRead(a); err != nil {
		return nil, err
	}
	r := &Report{Year: year}
	var err error
	if r.Values, err = Compute(ctx, d.Cases, a, year, d.Sources...); err != nil {
		return nil, err
	}
	if r.Next, err = Compute(ctx, d.Cases, a, year+1, d.Sources...); err != nil {
		return nil, err
	}
	now, hist, err := d.Overrides(ctx, a, year)
	if err != nil {
		return nil, err
	}
	// One subdistrict (a narrowed actor) has its own overrides only
	// (Overrides reads the actor's jurisdiction's): the deployment's,
	// made on the whole deployment's figures, never apply to it.
	ApplyOverrides(r.Values, now)
	ApplyOverrides(r.Next, nil)
	r.History = hist
	name, units := "街道", map[int64]string{}
	if d.Names != nil {
		if name, units, err = d.Names.Names(ctx, a); err != nil {
			return nil, err
		}
	}
	r.Jurisdiction = name
	if r.Eval, err = EvaluateYear(ctx, d.Cases, a, year, units); err != nil {
		return nil, err
	}
	r.Doc, err = BuildDoc(tpl.Body, tpl.Version, DocInput{Jurisdiction: name, Year: year, Values: r.Values, Next: r.Next, Eval: r.Eval})
	if err != nil {
		return nil, err
	}
	return r, nil
}
