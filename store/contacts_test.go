package store_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// reportPayload is the stored payload of a case's report event, as it is
// in the database.
func reportPayload(t *testing.T, db *store.DB, caseID int64) string {
	t.Helper()
	return scalar[string](t, db, `SELECT payload FROM case_events WHERE case_id = ? AND seq = 1`, caseID)
}

// wantContactApart checks that a case's contact is nowhere but in
// case_contacts: not in its stored report event, which holds the digest
// of the contact keyed by the case's salt instead, nor in its projection.
func wantContactApart(t *testing.T, db *store.DB, caseID int64, want casework.Contact) {
	t.Helper()
	payload := reportPayload(t, db, caseID)
	data := scalar[string](t, db, `SELECT data FROM cases WHERE id = ?`, caseID)
	for _, s := range []string{want.Name, want.Phone} {
		if strings.Contains(payload, s) {
			t.Errorf("case %d: the report event's payload holds %q: %s", caseID, s, payload)
		}
		if strings.Contains(data, s) {
			t.Errorf("case %d: the projection holds %q: %s", caseID, s, data)
		}
	}
	var p casework.Payload
	must(t, json.Unmarshal([]byte(payload), &p))
	salt := scalar[[]byte](t, db, `SELECT salt FROM case_contacts WHERE case_id = ?`, caseID)
	if len(salt) != 16 || p.ReporterDigest != casework.ContactDigest(salt, want) {
		t.Errorf("case %d: digest %q, salt %x: not the contact's", caseID, p.ReporterDigest, salt)
	}
}

// TestContactsKeptApart: a contact goes into case_contacts, on every path
// a case is stored by (a report, a bulk import), and comes back on every
// read (get, by number, by external id, list, the events), while the
// stored event and projection never hold it.
func TestContactsKeptApart(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, cst(2024, 6, 3, 9, 0))
		cs := db.Cases()
		resident := casework.Contact{Name: "李四", Phone: "13987654321"}
		c := w.report(t, cst(2024, 6, 3, 9, 0), w.o.Actor(org.RoleDispatcher), w.o.GridW1.ID, fixture.CatExposedTrash,
			func(in *casework.ReportInput) {
				in.Reporter, in.ExternalID, in.Channel = resident, "X-1", casework.ChannelHotline
			})
		w.step(t, cst(2024, 6, 3, 9, 5), w.o.Actor(org.RoleDispatcher), c.ID, casework.StepInput{Action: casework.ActAccept})

		imported, e := rawReport(t, cst(2024, 6, 3, 10, 0), casework.ChannelOther, "")
		imported.Reporter, e.Payload.Report.Reporter = casework.Contact{Name: "王五", Phone: "13700001111"}, casework.Contact{Name: "王五", Phone: "13700001111"}
		must(t, cs.ImportCases(bg, []store.CaseHistory{{Case: imported, Events: []*casework.Event{e}}}))

		for _, x := range []struct {
			id   int64
			want casework.Contact
		}{{c.ID, resident}, {imported.ID, imported.Reporter}} {
			wantContactApart(t, db, x.id, x.want)
			if got := checkReplay(t, cs, x.id).Reporter; got != x.want {
				t.Errorf("case %d: got reporter %+v, want %+v", x.id, got, x.want)
			}
		}
		byNumber, err := cs.GetCaseByNumber(bg, c.Number)
		must(t, err)
		byExternal, err := cs.FindByExternalID(bg, casework.ChannelHotline, "X-1")
		must(t, err)
		list, _, err := cs.ListCases(bg, casework.Filter{Scope: casework.Scope{All: true}, Limit: 10})
		must(t, err)
		if len(list) != 2 {
			t.Fatalf("listed %d cases", len(list))
		}
		for _, got := range []*casework.Case{byNumber, byExternal, list[0], list[1]} {
			if want := map[int64]casework.Contact{c.ID: resident, imported.ID: imported.Reporter}[got.ID]; got.Reporter != want {
				t.Errorf("case %d read back with %+v, want %+v", got.ID, got.Reporter, want)
			}
		}
		// A case reported without a contact has no row and no digest.
		none := w.report(t, cst(2024, 6, 3, 11, 0), w.o.Actor(org.RoleDispatcher), w.o.GridW1.ID, fixture.CatExposedTrash,
			func(in *casework.ReportInput) { in.Reporter = casework.Contact{} })
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM case_contacts WHERE case_id = ?`, none.ID); n != 0 ||
			strings.Contains(reportPayload(t, db, none.ID), "reporter_digest") || checkReplay(t, cs, none.ID).Reporter != (casework.Contact{}) {
			t.Errorf("a case without a contact: %d rows, payload %s", n, reportPayload(t, db, none.ID))
		}

		// The resident follows the case with his phone number; the public
		// history shows no digest either.
		_, events, err := w.svc.Track(bg, c.Number, resident.Phone)
		must(t, err)
		if events[0].Payload.Report == nil || events[0].Payload.ReporterDigest != "" {
			t.Errorf("the public report event: %+v", events[0].Payload)
		}
	})
}

// retentionWorld is a year of cases in every situation the retention job
// must tell apart.
type retentionWorld struct {
	*world
	due, kept []*casework.Case
}

func newRetentionWorld(t *testing.T, db *store.DB) *retentionWorld {
	w := &retentionWorld{world: newWorld(t, db, cst(2024, 6, 3, 9, 0))}
	o := w.o
	disp, cg, gw := o.Actor(org.RoleDispatcher), o.Actor(org.RoleUnitHandler), o.Actor(org.RoleGridWorker)
	S := func(a casework.Action) casework.StepInput {
		if a == casework.ActHandle {
			return casework.StepInput{Action: a, Reason: "已处置"} // handling is reported with what was done
		}
		return casework.StepInput{Action: a}
	}
	n := 0
	report := func(at time.Time) *casework.Case {
		n++
		return w.report(t, at, disp, o.GridW1.ID, fixture.CatExposedTrash, func(in *casework.ReportInput) {
			in.Reporter = casework.Contact{Name: fmt.Sprintf("居民%d", n), Phone: fmt.Sprintf("1381234%04d", n)}
		})
	}
	closeAt := func(c *casework.Case, at time.Time) *casework.Case {
		w.step(t, at, disp, c.ID, S(casework.ActAccept))
		w.step(t, at, disp, c.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: o.Chengguan.ID})
		w.step(t, at, cg, c.ID, S(casework.ActSign))
		w.step(t, at, cg, c.ID, S(casework.ActHandle))
		w.step(t, at, gw, c.ID, S(casework.ActVerify))
		return w.step(t, at, disp, c.ID, S(casework.ActClose))
	}
	june := cst(2024, 6, 3, 10, 0)

	// Due: closed in June and rated; rejected in June; voided in June.
	closed := closeAt(report(june), june)
	closed = w.step(t, june, disp, closed.ID, casework.StepInput{Action: casework.ActRate, Rating: casework.RatingSatisfied})
	rejected := w.step(t, june, disp, report(june).ID, casework.StepInput{Action: casework.ActReject, Reason: "不属于受理范围"})
	voided := report(june)
	w.step(t, june, disp, voided.ID, S(casework.ActAccept))
	voided = w.step(t, june, disp, voided.ID, casework.StepInput{Action: casework.ActVoid, Reason: "误报"})
	w.due = []*casework.Case{closed, rejected, voided}

	// Kept: still open since June; closed in June, rated unsatisfied and
	// reopened; reported in June and closed in December, 10 days before
	// the run.
	open := report(june)
	open = w.step(t, june, disp, open.ID, S(casework.ActAccept))
	reopened := closeAt(report(june), june)
	w.step(t, june, disp, reopened.ID, casework.StepInput{Action: casework.ActRate, Rating: casework.RatingUnsatisfied})
	reopened = w.step(t, cst(2024, 6, 4, 9, 0), disp, reopened.ID, casework.StepInput{Action: casework.ActReopen, Reason: "居民回访不满意"})
	recent := closeAt(report(june), cst(2024, 12, 10, 9, 0))
	w.kept = []*casework.Case{open, reopened, recent}
	return w
}

// snapshot is everything the retention job must leave as it is.
func (w *retentionWorld) snapshot(t *testing.T, db *store.DB) string {
	t.Helper()
	disp, leader := w.o.Actor(org.RoleDispatcher), w.o.Actor(org.RoleLeader)
	from, to := report.Period(2024)
	eval, err := w.svc.Evaluate(bg, disp, casework.EvalQuery{From: from, To: to, GroupBy: casework.ByUnit, Now: w.clock.Now()})
	must(t, err)
	figures, err := report.Compute(bg, w.svc, leader, 2024)
	must(t, err)
	rows, err := db.Query(bg, `SELECT id, case_id, seq, action, at, payload FROM case_events ORDER BY id`)
	must(t, err)
	defer rows.Close()
	var events []string
	for rows.Next() {
		var id, caseID, seq int64
		var action, at, payload string
		must(t, rows.Scan(&id, &caseID, &seq, &action, &at, &payload))
		events = append(events, fmt.Sprint(id, caseID, seq, action, at, payload))
	}
	var cases []any
	for _, c := range append(append([]*casework.Case{}, w.due...), w.kept...) {
		got, err := db.Cases().GetCase(bg, c.ID)
		must(t, err)
		got.Reporter = casework.Contact{} // the one thing that may change
		cases = append(cases, got)
	}
	b, err := json.Marshal([]any{eval, figures, events, cases})
	must(t, err)
	return string(b)
}

// contactRows is case_contacts as it is.
func contactRows(t *testing.T, db *store.DB) string {
	t.Helper()
	rows, err := db.Query(bg, `SELECT case_id, name, phone, COALESCE(salt, ''), anonymised_at IS NULL FROM case_contacts ORDER BY case_id`)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		var name, phone string
		var salt []byte
		var kept bool
		must(t, rows.Scan(&id, &name, &phone, &salt, &kept))
		out = append(out, fmt.Sprintf("%d %s %s %x %v", id, name, phone, salt, kept))
	}
	return strings.Join(out, "\n")
}

// TestRetention: 200 days after June, with contacts kept 180 days, the
// retention job erases exactly the contacts of the cases that ended in
// June — closed, rejected, voided — and not those of a case still open, a
// case reopened, or a case closed recently. The cases, their events, the
// report's figures and the evaluation are unchanged, and the sealed audit
// chain still verifies. A dry run counts and changes nothing.
func TestRetention(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newRetentionWorld(t, db)
		w.svc.Audit = db.Audit()
		sealAll(t, db)
		const period = 180 * 24 * time.Hour
		w.clock.Set(cst(2024, 12, 20, 9, 0))
		before, contactsBefore := w.snapshot(t, db), contactRows(t, db)
		payloads := map[int64]string{}
		for _, c := range w.due {
			payloads[c.ID] = reportPayload(t, db, c.ID)
		}

		dry, err := w.svc.RunRetention(bg, period, true)
		must(t, err)
		if dry.Anonymised != len(w.due) || dry.SealedCopies != 0 || !dry.DryRun {
			t.Fatalf("dry run: %+v, want %d due", dry, len(w.due))
		}
		if got := contactRows(t, db); got != contactsBefore {
			t.Fatalf("the dry run changed the contacts:\n%s\nwas\n%s", got, contactsBefore)
		}
		if n := scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log`); n != 0 {
			t.Fatalf("the dry run wrote %d audit entries", n)
		}

		res, err := w.svc.RunRetention(bg, period, false)
		must(t, err)
		if res.Anonymised != len(w.due) || res.SealedCopies != 0 || !res.Cutoff.Equal(cst(2024, 6, 23, 9, 0)) {
			t.Fatalf("run: %+v, want %d anonymised, cutoff 2024-06-23 09:00", res, len(w.due))
		}
		if after := w.snapshot(t, db); after != before {
			t.Errorf("retention changed more than contacts:\nbefore %s\nafter  %s", before, after)
		}
		disp, handler := w.o.Actor(org.RoleDispatcher), w.o.Actor(org.RoleUnitHandler)
		for _, c := range w.due {
			got := checkReplay(t, db.Cases(), c.ID)
			if got.Reporter.Name != "" || got.Reporter.Phone != "" || got.Reporter.AnonymisedAt == nil ||
				!got.Reporter.AnonymisedAt.Equal(cst(2024, 12, 20, 9, 0)) {
				t.Errorf("case %d (%s) kept its contact: %+v", c.ID, c.Status, got.Reporter)
			}
			if salt := scalar[int64](t, db, `SELECT COUNT(*) FROM case_contacts WHERE case_id = ? AND salt IS NULL`, c.ID); salt != 1 {
				t.Errorf("case %d: salt not erased", c.ID)
			}
			if p := reportPayload(t, db, c.ID); p != payloads[c.ID] {
				t.Errorf("case %d: the sealed report event changed:\n%s\nwas\n%s", c.ID, p, payloads[c.ID])
			}
			if _, _, err := w.svc.Track(bg, c.Number, c.Reporter.Phone); jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
				t.Errorf("case %d: tracked by the erased phone number: %v", c.ID, err)
			}
			if v, err := w.svc.Get(bg, handler, c.ID); err == nil && (v.Reporter.Name != "" || v.Reporter.AnonymisedAt == nil) {
				t.Errorf("case %d: masked view %+v", c.ID, v.Reporter)
			}
		}
		_, err = w.svc.RevealContact(bg, disp, w.due[0].ID, "回访")
		if jiedao.ErrorCode(err) != jiedao.ECONFLICT || !strings.Contains(err.Error(), "2024年12月20日") {
			t.Errorf("reveal of an anonymised contact: %v", err)
		}
		for _, c := range w.kept {
			got := checkReplay(t, db.Cases(), c.ID)
			if got.Reporter.Phone == "" || got.Reporter.AnonymisedAt != nil {
				t.Errorf("case %d (%s) lost its contact: %+v", c.ID, got.Status, got.Reporter)
			}
			if _, _, err := w.svc.Track(bg, c.Number, got.Reporter.Phone); err != nil {
				t.Errorf("case %d: track: %v", c.ID, err)
			}
		}

		// One audit entry for the run, which names no contact.
		after := scalar[string](t, db, `SELECT after_json FROM audit_log WHERE action = ?`, casework.AuditContactAnonymise)
		if !strings.Contains(after, `"anonymised":3`) || strings.Contains(after, "138123") || strings.Contains(after, "居民") {
			t.Errorf("audit entry: %s", after)
		}
		// Nothing more is due: a second run erases nothing and records nothing.
		again, err := w.svc.RunRetention(bg, period, false)
		must(t, err)
		if again.Anonymised != 0 || scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log`) != 1 {
			t.Errorf("second run: %+v", again)
		}
		// Retention 0 keeps contacts for ever.
		w.clock.Set(cst(2030, 1, 1, 9, 0))
		if never, err := w.svc.RunRetention(bg, 0, false); err != nil || never.Anonymised != 0 {
			t.Errorf("retention 0: %+v %v", never, err)
		}

		sealAll(t, db)
		rep := verify(t, db, nil)
		if rep.Problem != nil || rep.Unsealed != 0 {
			t.Fatalf("the chain after retention: %+v", rep.Problem)
		}
	})
}

// TestContactsMigration: a database from before migration 0008 has its
// contacts inside the report events, sealed, and in the projection. The
// migration moves them into case_contacts and out of the projection,
// leaves the sealed events alone (the chain still verifies), and the
// retention job counts them as erased everywhere but in their sealed
// event.
func TestContactsMigration(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newRetentionWorld(t, db)
		// Make the database what version 0004 wrote: the contact in the
		// report's payload and in the projection, no case_contacts.
		all := append(append([]*casework.Case{}, w.due...), w.kept...)
		contacts := map[int64]casework.Contact{}
		for _, c := range all {
			got, err := db.Cases().GetCase(bg, c.ID)
			must(t, err)
			contacts[c.ID] = got.Reporter
			var p casework.Payload
			must(t, json.Unmarshal([]byte(reportPayload(t, db, c.ID)), &p))
			p.Report.Reporter, p.ReporterDigest = got.Reporter, ""
			old, _ := json.Marshal(p)
			exec(t, db, `UPDATE case_events SET payload = ? WHERE case_id = ? AND seq = 1`, string(old), c.ID)
			data, _ := json.Marshal(got)
			exec(t, db, `UPDATE cases SET data = ? WHERE id = ?`, string(data), c.ID)
		}
		exec(t, db, `DROP TABLE case_contacts`)
		exec(t, db, `DELETE FROM schema_migrations WHERE name = '0008_case_contacts.sql'`)
		sealAll(t, db)

		applied, err := db.Migrate(bg)
		must(t, err)
		if len(applied) != 1 {
			t.Fatalf("applied %v", applied)
		}
		for _, c := range all {
			got := checkReplay(t, db.Cases(), c.ID)
			if got.Reporter != contacts[c.ID] {
				t.Errorf("case %d: %+v after the migration, want %+v", c.ID, got.Reporter, contacts[c.ID])
			}
			if data := scalar[string](t, db, `SELECT data FROM cases WHERE id = ?`, c.ID); strings.Contains(data, contacts[c.ID].Phone) {
				t.Errorf("case %d: the projection keeps the contact: %s", c.ID, data)
			}
		}
		w.svc.Audit = db.Audit()
		w.clock.Set(cst(2024, 12, 20, 9, 0))
		res, err := w.svc.RunRetention(bg, 180*24*time.Hour, false)
		must(t, err)
		if res.Anonymised != len(w.due) || res.SealedCopies != len(w.due) {
			t.Fatalf("retention over old cases: %+v", res)
		}
		// Their sealed events keep the contact: erasing it would break the chain.
		if p := reportPayload(t, db, w.due[0].ID); !strings.Contains(p, contacts[w.due[0].ID].Phone) {
			t.Errorf("the sealed event lost its contact: %s", p)
		}
		if got := checkReplay(t, db.Cases(), w.due[0].ID); got.Reporter.Phone != "" {
			t.Errorf("an old case read back with its erased contact: %+v", got.Reporter)
		}
		sealAll(t, db)
		if rep := verify(t, db, nil); rep.Problem != nil {
			t.Fatalf("the chain after migration and retention: %s %s", rep.Problem.Kind, rep.Problem.Name)
		}
	})
}
