package casework

import (
	"context"
	"fmt"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/org"
)

// Retention of residents' contacts (issue 6, item 4; the Personal
// Information Protection Law keeps personal information no longer than its
// purpose needs). A reporter's name and phone number serve to call him back
// and to let him follow and rate his case; some time after the case has
// ended they serve nothing. The retention job then erases them, and only
// them: the case, its events, its figures and its rating stay. The contact
// lives apart from the sealed events (see ContactDigest), so that erasing
// it leaves the audit chain intact (docs/audit.md).

// DefaultContactRetention is how long a reporter's contact is kept after
// the case ends, unless configured otherwise.
const DefaultContactRetention = 180 * 24 * time.Hour

// AuditContactAnonymise is the audit action of a retention run that
// erased contacts. Its record holds how many and the cutoff, never a
// contact.
const AuditContactAnonymise = "retention.anonymise"

// retentionChunk bounds the contacts one transaction erases, so that a
// first run over years of cases does not hold its locks for long.
const retentionChunk = 5000

// ContactStore erases residents' contacts. Implemented by package store.
type ContactStore interface {
	// AnonymiseContacts erases the name, phone number and salt of at most
	// limit contacts the query selects, marks them anonymised at the time
	// given, and returns how many it erased (in the result's counts).
	AnonymiseContacts(ctx context.Context, q RetentionQuery, at time.Time, limit int) (RetentionCounts, error)
	// CountContactsDue counts the contacts the query selects.
	CountContactsDue(ctx context.Context, q RetentionQuery) (RetentionCounts, error)
}

// RetentionQuery selects the contacts due for erasure: not yet anonymised,
// of cases in one of Statuses that ended before EndedBefore. A closed case
// ended when it was closed (its latest closing, if it was reopened); a case
// in another final status ended at its last event, which is no earlier
// than the step that ended it.
type RetentionQuery struct {
	Statuses    []Status
	EndedBefore time.Time
}

// RetentionCounts are the contacts a run erased (or, dry, would erase).
type RetentionCounts struct {
	Anonymised int `json:"anonymised"`
	// SealedCopies counts those of cases reported before contacts were
	// kept apart (store migration 0008): their sealed report event still
	// holds the contact, which cannot be erased there without breaking the
	// audit chain.
	SealedCopies int `json:"sealed_copies"`
}

// RetentionResult is what one run of the retention job did.
type RetentionResult struct {
	RetentionCounts
	Cutoff time.Time `json:"cutoff"`
	DryRun bool      `json:"dry_run"`
}

// FinalStatuses are the statuses a case ends in: no step makes it open
// again but the reopening of a closed case rated unsatisfied.
func FinalStatuses() []Status {
	var out []Status
	for _, s := range Statuses() {
		if !s.Open() {
			out = append(out, s)
		}
	}
	return out
}

// RunRetention erases the contacts of the cases that ended more than
// period ago; with dryRun it only counts them. A period of 0 or less keeps
// contacts for ever. A case that is open — reopened included — is never
// touched: it has not ended. What a run erased is recorded on the audit
// trail (how many, the cutoff) in the erasing transaction. Several processes may run it at
// once: each contact is erased, and counted, once.
func (s *Service) RunRetention(ctx context.Context, period time.Duration, dryRun bool) (RetentionResult, error) {
	now := s.now()
	res := RetentionResult{Cutoff: now.Add(-period), DryRun: dryRun}
	if period <= 0 {
		return res, nil
	}
	if s.Contacts == nil {
		return res, fmt.Errorf("casework: retention: no contact store")
	}
	q := RetentionQuery{Statuses: FinalStatuses(), EndedBefore: res.Cutoff}
	if dryRun {
		n, err := s.Contacts.CountContactsDue(ctx, q)
		res.RetentionCounts = n
		return res, err
	}
	zh, en := periodWords(period)
	reason := fmt.Sprintf("案件结束满%s，报事人联系方式按保存期限匿名化 / reporters' contacts anonymised %s after their cases ended", zh, en)
	// Each chunk is erased in one transaction with its audit entry, so
	// that no erasure is kept unrecorded: a long first run over years of
	// cases writes an entry per chunk.
	for {
		var n RetentionCounts
		err := org.Atomically(ctx, s.Audit, func(ctx context.Context) error {
			var err error
			if n, err = s.Contacts.AnonymiseContacts(ctx, q, now, retentionChunk); err != nil || n.Anonymised == 0 {
				return err
			}
			after := map[string]any{"anonymised": n.Anonymised, "sealed_copies": n.SealedCopies,
				"cutoff": res.Cutoff, "retention_days": period.Hours() / 24}
			return s.audit(ctx, org.SystemActor(), AuditContactAnonymise, "case_contacts", "", nil, after, reason)
		})
		if err != nil {
			return res, err
		}
		res.Anonymised += n.Anonymised
		res.SealedCopies += n.SealedCopies
		if n.Anonymised < retentionChunk {
			return res, nil
		}
	}
}

// periodWords writes a period in days where it is whole days, in Chinese
// and in English.
func periodWords(d time.Duration) (zh, en string) {
	if d%(24*time.Hour) != 0 {
		return d.String(), d.String()
	}
	n := int64(d / (24 * time.Hour))
	return fmt.Sprintf("%d天", n), fmt.Sprintf("%d days", n)
}

// anonymisedError is the answer to a reveal of a contact the retention job
// erased.
func anonymisedError(at time.Time) error {
	at = at.In(calendar.Zone())
	return &jiedao.Error{Code: jiedao.ECONFLICT,
		Zh: "该案件报事人的联系方式已于" + at.Format("2006年1月2日") + "按保存期限匿名化，无法查看",
		En: "the reporter's contact was anonymised on " + at.Format("2006-01-02") + " at the end of its retention period"}
}
