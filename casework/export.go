package casework

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
)

// Audit actions of exports: every download of records leaves one entry,
// written before the first row goes out.
const (
	AuditExportCases     = "export.cases"
	AuditExportDashboard = "export.dashboard"
	AuditExportHotline   = "export.hotline"
)

// Export limits.
const (
	// MaxExportRows bounds one export (an Excel sheet holds 1,048,576 rows).
	MaxExportRows = 1_000_000
	// ExportPage is how many cases an export reads at a time: each page
	// is its own short query, so no read transaction is held for the
	// length of a download.
	ExportPage = 1000
	// minExportReason is the shortest reason for an export with full
	// contacts, in characters: "回访核实" passes, "x" does not.
	minExportReason = 4
)

// ExportRequest asks for an export of records.
type ExportRequest struct {
	// Format is the file's format (xlsx, csv), for the record.
	Format string
	// Query is the filter as the exporter wrote it, for the record.
	Query string
	// FullContacts asks for residents' names and phone numbers unmasked;
	// it needs the right to see them and a Reason.
	FullContacts bool
	Reason       string
}

// ExportGrant is an export that was allowed and recorded: whether its
// contacts are masked and the reason given.
type ExportGrant struct {
	Actor  org.Actor
	Masked bool
	Reason string
}

// Contact returns a reporter as the export may show him.
func (g ExportGrant) Contact(c Contact) Contact {
	if !g.Masked {
		return c
	}
	return Contact{Name: org.MaskName(c.Name), Phone: org.MaskPhone(c.Phone)}
}

// CaseExport is an export of a case list, allowed and recorded, ready to
// stream.
type CaseExport struct {
	ExportGrant
	// Rows is how many cases matched when the export began (at most
	// MaxExportRows); cases reported while it streams may be added.
	Rows int
	// Page is how many cases are read at a time: a writer flushes after
	// each page, before the next is read.
	Page int
	s    *Service
	f    Filter
}

// cleanReason trims a stated reason and bounds it: it goes on the audit
// trail as text.
func cleanReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxRevealReason {
		return "", jiedao.Invalid("reason", "理由不能超过200字", "the reason must be at most 200 characters")
	}
	return reason, nil
}

// contactReason checks the reason for seeing a resident's full contact:
// required, and at least minLen characters.
func contactReason(reason string, minLen int) (string, error) {
	reason, err := cleanReason(reason)
	if err != nil {
		return "", err
	}
	if reason == "" {
		return "", jiedao.Invalid("reason", "查看完整联系方式须说明理由", "a reason is required to see the full contact")
	}
	if utf8.RuneCountInString(reason) < minLen {
		return "", jiedao.Invalid("reason", "理由太短，请具体说明用途", "the reason is too short: say what the contacts are for")
	}
	return reason, nil
}

// grantExport decides whether an export may go ahead and how it is
// masked. Contacts are masked in every export, for every role, unless the
// exporter may see them unmasked on the case page (the command center,
// admins) and states why. An export that cannot be recorded is not made.
func (s *Service) grantExport(a org.Actor, req ExportRequest) (ExportGrant, error) {
	g := ExportGrant{Actor: a, Masked: true}
	switch a.Kind {
	case org.ActorStaff, org.ActorClient, org.ActorSystem:
	default:
		return g, jiedao.Errorf(jiedao.EUNAUTHORIZED, "请先登录", "please sign in")
	}
	if s.Audit == nil {
		return g, jiedao.Forbidden("导出无法记入审计日志，未执行", "the export cannot be recorded on the audit trail, so it was not made")
	}
	if !req.FullContacts {
		// A reason given for a masked export is kept with it.
		reason, err := cleanReason(req.Reason)
		g.Reason = reason
		return g, err
	}
	if !a.SeesContacts() || a.Kind != org.ActorStaff {
		return g, jiedao.Forbidden("您无权导出完整联系方式，只能导出脱敏数据", "you may not export full contacts, only masked ones")
	}
	reason, err := contactReason(req.Reason, minExportReason)
	if err != nil {
		return g, err
	}
	g.Masked, g.Reason = false, reason
	return g, nil
}

// ExportCases allows, counts and records an export of the cases the actor
// may see that match the filter; the returned export streams them. The
// audit entry is written before anything can be read, so that no download
// escapes the record.
func (s *Service) ExportCases(ctx context.Context, a org.Actor, f Filter, req ExportRequest) (*CaseExport, error) {
	g, err := s.grantExport(a, req)
	if err != nil {
		return nil, err
	}
	f = scoped(a, f)
	if f.Now.IsZero() {
		f.Now = s.now()
	}
	f.Limit, f.Offset = cmp.Or(s.ExportPageSize, ExportPage), 0
	n, err := s.Store.CountCases(ctx, f)
	if err != nil {
		return nil, err
	}
	x := &CaseExport{ExportGrant: g, Rows: min(n, MaxExportRows), Page: f.Limit, s: s, f: f}
	if err := s.recordExport(ctx, g, AuditExportCases, "cases", req, x.Rows, map[string]any{"scope": f.Scope}); err != nil {
		return nil, err
	}
	return x, nil
}

// Each calls fn with every case of the export, newest first, masked as
// granted, until MaxExportRows.
func (x *CaseExport) Each(ctx context.Context, fn func(*Case) error) error {
	n := 0
	err := x.s.Store.EachCase(ctx, x.f, func(c *Case) error {
		if n++; n > MaxExportRows {
			return errExportFull
		}
		c.Reporter = x.Contact(c.Reporter)
		return fn(c)
	})
	if err == errExportFull {
		return nil
	}
	return err
}

// errExportFull ends an export at its row limit.
var errExportFull = errors.New("casework: the export reached its row limit")

// GrantExport allows and records an export other than the case list (the
// dashboard's tables, the 12345 work orders) of rows records: the caller
// masks contacts as the grant says.
func (s *Service) GrantExport(ctx context.Context, a org.Actor, action, target string, req ExportRequest, rows int, detail map[string]any) (ExportGrant, error) {
	g, err := s.grantExport(a, req)
	if err != nil {
		return g, err
	}
	return g, s.recordExport(ctx, g, action, target, req, rows, detail)
}

// recordExport writes an export's audit entry: who, what (the filter),
// how many rows, which format, masked or not, and why.
func (s *Service) recordExport(ctx context.Context, g ExportGrant, action, target string, req ExportRequest, rows int, detail map[string]any) error {
	after := map[string]any{"query": req.Query, "format": req.Format, "rows": rows, "masked": g.Masked}
	for k, v := range detail {
		after[k] = v
	}
	return s.audit(ctx, g.Actor, action, "export", target, nil, after, g.Reason)
}
