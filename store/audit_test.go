package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// auditWorld is a fixture with a service that records to the audit log.
type auditWorld struct {
	o     *fixture.Org
	clock *fixture.Clock
	svc   *casework.Service
}

func newAuditWorld(t testing.TB, db *store.DB) *auditWorld {
	t.Helper()
	o, err := fixture.Build(bg, db)
	if err != nil {
		t.Fatal(err)
	}
	clock := fixture.NewClock(time.Date(2024, 6, 3, 9, 0, 0, 0, calendar.Zone()))
	svc := o.Service(clock.Now)
	svc.Audit = db.Audit()
	return &auditWorld{o: o, clock: clock, svc: svc}
}

// history files a report in grid W1 and takes it to the unit: four events.
func (w *auditWorld) history(t testing.TB, svc *casework.Service) *casework.Case {
	t.Helper()
	lat, lon := w.o.LatLon(w.o.GridW1.ID)
	c, err := svc.Report(bg, org.ResidentActor("张三"), casework.ReportInput{Category: fixture.CatExposedTrash,
		Details: "垃圾桶满溢", Lat: lat, Lon: lon, Reporter: casework.Contact{Name: "张三", Phone: "13812345678"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		a  org.Actor
		in casework.StepInput
	}{
		{w.o.Actor(org.RoleDispatcher), casework.StepInput{Action: casework.ActAccept}},
		{w.o.Actor(org.RoleDispatcher), casework.StepInput{Action: casework.ActDispatch, UnitID: w.o.Chengguan.ID}},
		{w.o.Actor(org.RoleUnitHandler), casework.StepInput{Action: casework.ActSign}},
	} {
		if c, err = svc.Step(bg, st.a, c.ID, st.in); err != nil {
			t.Fatalf("%s: %v", st.in.Action, err)
		}
	}
	return c
}

func sealAll(t *testing.T, db *store.DB) int {
	t.Helper()
	total := 0
	for {
		n, err := db.SealAudit(bg, 7) // small chunks: many seals
		must(t, err)
		if n == 0 {
			return total
		}
		total += n
	}
}

func verify(t *testing.T, db *store.DB, anchor *store.AuditHead) *store.AuditReport {
	t.Helper()
	rep, err := db.VerifyAudit(bg, anchor)
	must(t, err)
	return rep
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(bg, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func scalar[T any](t *testing.T, db *store.DB, q string, args ...any) T {
	t.Helper()
	rows, err := db.Query(bg, q, args...)
	must(t, err)
	defer rows.Close()
	var v T
	if !rows.Next() {
		t.Fatalf("%s: no row", q)
	}
	must(t, rows.Scan(&v))
	return v
}

// wantProblem checks that verification fails with the kind of problem and
// names the record.
func wantProblem(t *testing.T, db *store.DB, kind string, names ...string) *store.AuditProblem {
	t.Helper()
	rep := verify(t, db, nil)
	p := rep.Problem
	if p == nil {
		t.Fatalf("verify found nothing; want %s %v (%d verified)", kind, names, rep.Verified)
	}
	if p.Kind != kind {
		t.Fatalf("verify found %s (%s), want %s", p.Kind, p.Name, kind)
	}
	for _, n := range names {
		if !strings.Contains(p.Name, n) {
			t.Fatalf("problem %s names %q, want it to name %q", p.Kind, p.Name, n)
		}
	}
	return p
}

func wantIntact(t *testing.T, db *store.DB, records int64) {
	t.Helper()
	rep := verify(t, db, nil)
	if rep.Problem != nil {
		t.Fatalf("verify: %s at %d: %s (%s)", rep.Problem.Kind, rep.Problem.Seq, rep.Problem.Name, rep.Problem.Detail)
	}
	if rep.Verified != records || rep.Unsealed != 0 {
		t.Fatalf("verified %d records (%d unsealed), want %d", rep.Verified, rep.Unsealed, records)
	}
}

// TestAuditChain seals a history, then tampers with it as someone with
// write access to the database would, one way at a time, and checks that
// verification names exactly the record touched.
func TestAuditChain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newAuditWorld(t, db)
		var cases []*casework.Case
		for range 5 {
			cases = append(cases, w.history(t, w.svc))
		}
		// An admin action is chained too.
		cat, err := w.svc.Store.GetCategory(bg, fixture.CatExposedTrash)
		must(t, err)
		cat.Description = "垃圾桶满溢、垃圾暴露"
		must(t, w.svc.PutCategory(bg, w.o.Actor(org.RoleAdmin), cat))

		// An event that vanished before it was sealed (a transaction rolled
		// back after taking its id) leaves a gap the chain does not mind;
		// the test puts it back later, as a forgery.
		gapCase := cases[2]
		gapID := scalar[int64](t, db, `SELECT id FROM case_events WHERE case_id = ? AND seq = 4`, gapCase.ID)
		exec(t, db, `CREATE TABLE forged AS SELECT * FROM case_events WHERE id = ?`, gapID)
		exec(t, db, `DELETE FROM case_events WHERE id = ?`, gapID)

		events := scalar[int64](t, db, `SELECT COUNT(*) FROM case_events`)
		admin := scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log`)
		if events != 19 || admin != 1 {
			t.Fatalf("%d events, %d admin actions; want 19 and 1", events, admin)
		}
		rep := verify(t, db, nil)
		if rep.Problem != nil || rep.Verified != 0 || rep.Unsealed != events+admin {
			t.Fatalf("before sealing: %+v", rep)
		}
		if n := sealAll(t, db); int64(n) != events+admin {
			t.Fatalf("sealed %d, want %d", n, events+admin)
		}
		if n := sealAll(t, db); n != 0 {
			t.Fatalf("sealed %d again", n)
		}
		wantIntact(t, db, events+admin)
		head, err := db.AuditHead(bg)
		must(t, err)
		if head.Seq != events+admin || len(head.Hash) != 64 {
			t.Fatalf("head %v", head)
		}
		if rep := verify(t, db, &head); rep.Problem != nil || rep.Head != head {
			t.Fatalf("verify with the head as anchor: %+v", rep)
		}

		// Altered: one event's reason.
		target := cases[1]
		evID := scalar[int64](t, db, `SELECT id FROM case_events WHERE case_id = ? AND seq = 2`, target.ID)
		exec(t, db, `UPDATE case_events SET reason = ? WHERE id = ?`, "改过的理由", evID)
		p := wantProblem(t, db, "altered", target.Number+" 事件 / event #2", fmt.Sprintf("event id %d", evID), "sealed as "+target.Number+" #2")
		if p.Source != "event" || p.RefID != evID {
			t.Fatalf("problem %+v", p)
		}
		exec(t, db, `UPDATE case_events SET reason = '' WHERE id = ?`, evID)
		wantIntact(t, db, events+admin)

		// Altered: a time moved by a second.
		exec(t, db, `UPDATE case_events SET at = ? WHERE id = ?`, w.clock.Now().Add(time.Second), evID)
		wantProblem(t, db, "altered", target.Number+" 事件 / event #2")
		exec(t, db, `UPDATE case_events SET at = (SELECT at FROM case_events WHERE case_id = ? AND seq = 1) WHERE id = ?`, target.ID, evID)
		// (The report and the accept of the fixture's history share the
		// clock's time.)
		wantIntact(t, db, events+admin)

		// Removed: one event.
		target = cases[3]
		evID = scalar[int64](t, db, `SELECT id FROM case_events WHERE case_id = ? AND seq = 3`, target.ID)
		exec(t, db, `CREATE TABLE removed AS SELECT * FROM case_events WHERE id = ?`, evID)
		exec(t, db, `DELETE FROM case_events WHERE id = ?`, evID)
		p = wantProblem(t, db, "removed", "sealed as "+target.Number+" #3", fmt.Sprintf("case event id %d", evID))
		if p.RefID != evID {
			t.Fatalf("problem %+v", p)
		}
		exec(t, db, `INSERT INTO case_events SELECT * FROM removed`)
		wantIntact(t, db, events+admin)

		// Inserted: an event older than the sealed frontier, never sealed.
		exec(t, db, `INSERT INTO case_events SELECT * FROM forged`)
		p = wantProblem(t, db, "inserted", gapCase.Number+" 事件 / event #4", fmt.Sprintf("event id %d", gapID))
		if p.RefID != gapID {
			t.Fatalf("problem %+v", p)
		}
		// The sealer does not seal it either: it is below the frontier.
		if n := sealAll(t, db); n != 0 {
			t.Fatalf("sealed %d forged records", n)
		}
		exec(t, db, `DELETE FROM case_events WHERE id = ?`, gapID)
		wantIntact(t, db, events+admin)

		// Altered: the admin action.
		adID := scalar[int64](t, db, `SELECT id FROM audit_log WHERE action = 'category.put'`)
		exec(t, db, `UPDATE audit_log SET actor_name = '别人' WHERE id = ?`, adID)
		p = wantProblem(t, db, "altered", fmt.Sprintf("admin action %d (category.put category:0101)", adID))
		if p.Source != "admin" {
			t.Fatalf("problem %+v", p)
		}
		exec(t, db, `UPDATE audit_log SET actor_name = ? WHERE id = ?`, w.o.Admin.Name, adID)
		wantIntact(t, db, events+admin)

		// The chain itself: an entry's hash, an entry removed.
		exec(t, db, `UPDATE audit_chain SET hash = ? WHERE seq = 5`, strings.Repeat("0", 64))
		p = wantProblem(t, db, "altered")
		if p.Seq != 5 {
			t.Fatalf("problem %+v", p)
		}
		exec(t, db, `UPDATE audit_chain SET hash = (SELECT hash FROM audit_head) WHERE seq = 5`) // still wrong
		wantProblem(t, db, "altered")

		// The whole chain rewritten from the tampered records on: only the
		// anchor written down before tells.
		db2Head := head
		exec(t, db, `DELETE FROM audit_chain`)
		exec(t, db, `UPDATE audit_head SET seq = 0, hash = '', event_id = 0, admin_id = 0`)
		exec(t, db, `UPDATE case_events SET reason = '重写' WHERE id = ?`, evID)
		if n := sealAll(t, db); int64(n) != events+admin {
			t.Fatalf("resealed %d", n)
		}
		wantIntact(t, db, events+admin)
		rep = verify(t, db, &db2Head)
		if rep.Problem == nil || rep.Problem.Kind != "anchor" {
			t.Fatalf("verify with the old anchor after a rewrite: %+v", rep.Problem)
		}
		past := db2Head
		past.Seq += 100
		if rep := verify(t, db, &past); rep.Problem == nil || rep.Problem.Kind != "anchor" {
			t.Fatalf("verify with an anchor past the end: %+v", rep.Problem)
		}
	})
}

// TestAuditConcurrentSealers runs two sealers on two handles of one
// database (two serve processes) while cases are written through both:
// the chain stays one dense, verifying chain.
func TestAuditConcurrentSealers(t *testing.T) {
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn := testdb.DSN(t, engine)
			open := func() *store.DB {
				db, err := store.Open(bg, dsn)
				must(t, err)
				t.Cleanup(func() { db.Close() })
				_, err = db.Migrate(bg)
				must(t, err)
				return db
			}
			db1, db2 := open(), open()
			w := newAuditWorld(t, db1)
			svc2 := *w.svc
			svc2.Store, svc2.Audit = db2.Cases(), db2.Audit()

			ctx, cancel := context.WithCancel(bg)
			var sealers sync.WaitGroup
			sealed := make([]int, 2)
			for i, db := range []*store.DB{db1, db2} {
				sealers.Add(1)
				go func() {
					defer sealers.Done()
					for ctx.Err() == nil {
						n, err := db.SealAudit(ctx, 3)
						if err != nil && ctx.Err() == nil && jiedao.ErrorCode(err) != jiedao.EUNAVAILABLE {
							t.Errorf("sealer %d: %v", i, err)
							return
						}
						sealed[i] += n
					}
				}()
			}
			var writers sync.WaitGroup
			for i := range 4 {
				writers.Add(1)
				go func() {
					defer writers.Done()
					svc := w.svc
					if i%2 == 1 {
						svc = &svc2
					}
					for range 4 {
						w.history(t, svc)
						must(t, org.AuditRecord(bg, svc.Audit, w.o.Actor(org.RoleAdmin), "test.write", "test", int64(i), nil, nil, ""))
					}
				}()
			}
			writers.Wait()
			time.Sleep(100 * time.Millisecond)
			cancel()
			sealers.Wait()
			rest := sealAll(t, db1)
			events := scalar[int64](t, db1, `SELECT COUNT(*) FROM case_events`)
			admin := scalar[int64](t, db1, `SELECT COUNT(*) FROM audit_log`)
			if events != 64 || admin != 16 {
				t.Fatalf("%d events, %d admin", events, admin)
			}
			if got := int64(sealed[0] + sealed[1] + rest); got != events+admin {
				t.Fatalf("sealed %d+%d+%d, want %d", sealed[0], sealed[1], rest, events+admin)
			}
			if sealed[0] == 0 || sealed[1] == 0 {
				t.Logf("one sealer sealed nothing: %v", sealed)
			}
			wantIntact(t, db2, events+admin)
			if n := scalar[int64](t, db1, `SELECT COUNT(DISTINCT ref_id) FROM audit_chain WHERE source = 'event'`); n != events {
				t.Fatalf("%d distinct events in the chain, want %d", n, events)
			}
		})
	}
}

// TestAuditAdminActions: the directory's and the configuration's changes
// land in audit_log with their before and after, and are sealed.
func TestAuditAdminActions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newAuditWorld(t, db)
		admin := w.o.Actor(org.RoleAdmin)
		dir := &org.Directory{Store: db.Org(), Audit: db.Audit()}
		auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: time.Now}

		sec := w.o.Actor(org.RoleSecurityAdmin) // accounts are the security administrator's (issue 18)
		s, err := dir.SaveStaff(bg, sec, org.StaffInput{Staff: org.Staff{Username: "lisi", Name: "李四", Role: org.RoleLeader, Active: true}, Password: fixture.Password})
		must(t, err)
		s.Role, s.UnitID = org.RoleUnitLead, w.o.Market.ID
		_, err = dir.SaveStaff(bg, sec, org.StaffInput{Staff: *s})
		must(t, err)
		u := *w.o.Market
		u.Name = "市场监督管理所"
		must(t, dir.SaveUnit(bg, admin, &u))
		_, client, err := dir.CreateAPIClient(bg, admin, auth, "烟感平台", "iot")
		must(t, err)
		must(t, dir.RevokeAPIClient(bg, admin, client.ID, time.Now()))
		rule := casework.RoutingRule{Category: fixture.CatStreetOrder, UnitID: w.o.Market.ID}
		must(t, w.svc.CreateRoutingRule(bg, admin, &rule))
		must(t, w.svc.DeleteRoutingRule(bg, admin, rule.ID))
		must(t, w.svc.PutCalendarDays(bg, admin, []calendar.Day{{Date: "2026-12-31", Kind: calendar.Off, Name: "测试", ScheduleYear: 2026}}))
		must(t, w.svc.DeleteCalendarDay(bg, admin, "2026-12-31"))
		// Refused changes leave no trace.
		if err := dir.SaveUnit(bg, w.o.Actor(org.RoleLeader), &u); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("leader saves a unit: %v", err)
		}

		rows, err := db.Query(bg, `SELECT action, target_kind, target_id, COALESCE(before_json, ''), COALESCE(after_json, ''), actor_name FROM audit_log ORDER BY id`)
		must(t, err)
		var got []string
		var staffUpdate [2]string
		for rows.Next() {
			var action, kind, id, before, after, actor string
			must(t, rows.Scan(&action, &kind, &id, &before, &after, &actor))
			if actor != w.o.Admin.Name && !(strings.HasPrefix(action, "staff.") && actor == w.o.SecurityAdmin.Name) {
				t.Errorf("%s by %q", action, actor)
			}
			if strings.Contains(before+after, "argon2") {
				t.Errorf("%s keeps a password hash: %s %s", action, before, after)
			}
			if action == org.AuditStaffUpdate {
				staffUpdate = [2]string{before, after}
			}
			got = append(got, action+" "+kind)
		}
		rows.Close()
		want := []string{"staff.create staff", "staff.update staff", "unit.update unit", "api_client.create api_client", "api_client.revoke api_client",
			"routing_rule.create routing_rule", "routing_rule.delete routing_rule", "calendar.put calendar_day", "calendar.delete calendar_day"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("audit log:\n got %v\nwant %v", got, want)
		}
		if !strings.Contains(staffUpdate[0], `"role":"leader"`) || !strings.Contains(staffUpdate[1], `"role":"unit_lead"`) {
			t.Fatalf("role change not recorded: %v", staffUpdate)
		}
		n := sealAll(t, db)
		wantIntact(t, db, int64(n))
	})
}

// failingAuditor writes each entry, then fails, as a disk that fills up
// between the two writes would: the change and its entry must both be
// rolled back.
type failingAuditor struct{ *store.AuditLog }

func (f failingAuditor) Record(ctx context.Context, e org.AuditEntry) error {
	if err := f.AuditLog.Record(ctx, e); err != nil {
		return err
	}
	return fmt.Errorf("audit entry %s: disk full", e.Action)
}

// TestAuditAdminActionsAtomic: an administrative change and its audit entry
// are one transaction. When the entry cannot be written the change is not
// kept either, on both engines, for each kind of change (and the SQLite
// writer, one connection, does not deadlock on the nested writes).
func TestAuditAdminActionsAtomic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newAuditWorld(t, db)
		admin := w.o.Actor(org.RoleAdmin)
		failing := failingAuditor{db.Audit()}
		dir := &org.Directory{Store: db.Org(), Audit: failing}
		svc := *w.svc
		svc.Audit = failing
		auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: time.Now}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			rows, err := db.Query(bg, q, args...)
			must(t, err)
			defer rows.Close()
			rows.Next()
			must(t, rows.Scan(&n))
			return n
		}
		rulesBefore := count(`SELECT COUNT(*) FROM routing_rules`)

		u := *w.o.Market
		u.Name = "改名失败的单位"
		attempts := map[string]error{
			"unit.update": dir.SaveUnit(bg, admin, &u),
			"routing_rule.create": svc.CreateRoutingRule(bg, admin,
				&casework.RoutingRule{Category: fixture.CatStreetOrder, UnitID: w.o.Market.ID}),
			"calendar.put": svc.PutCalendarDays(bg, admin,
				[]calendar.Day{{Date: "2026-12-30", Kind: calendar.Off, Name: "测试", ScheduleYear: 2026}}),
		}
		_, attempts["staff.create"] = dir.SaveStaff(bg, w.o.Actor(org.RoleSecurityAdmin), org.StaffInput{
			Staff: org.Staff{Username: "wangwu", Name: "王五", Role: org.RoleLeader, Active: true}, Password: fixture.Password})
		_, _, attempts["api_client.create"] = dir.CreateAPIClient(bg, admin, auth, "视频平台", "iot")
		for action, err := range attempts {
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Errorf("%s with a failing audit entry: %v", action, err)
			}
		}

		if n := count(`SELECT COUNT(*) FROM units WHERE name = ?`, u.Name); n != 0 {
			t.Errorf("the unit's change was kept without its entry")
		}
		if n := count(`SELECT COUNT(*) FROM staff WHERE username = ?`, "wangwu"); n != 0 {
			t.Errorf("the staff member was created without an entry")
		}
		if n := count(`SELECT COUNT(*) FROM api_clients WHERE name = ?`, "视频平台"); n != 0 {
			t.Errorf("the API client was created without an entry")
		}
		if n := count(`SELECT COUNT(*) FROM routing_rules`); n != rulesBefore {
			t.Errorf("routing rules: %d, before %d", n, rulesBefore)
		}
		if n := count(`SELECT COUNT(*) FROM calendar_days WHERE date = ?`, "2026-12-30"); n != 0 {
			t.Errorf("the calendar day was put without an entry")
		}
		if n := count(`SELECT COUNT(*) FROM audit_log`); n != 0 {
			t.Errorf("%d audit entries kept for changes rolled back", n)
		}

		// With a working auditor the same change is kept with its entry.
		dir.Audit = db.Audit()
		must(t, dir.SaveUnit(bg, admin, &u))
		if n := count(`SELECT COUNT(*) FROM units WHERE name = ?`, u.Name); n != 1 {
			t.Fatalf("the unit's change was not kept by a good save")
		}
		if n := count(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, org.AuditUnitUpdate); n != 1 {
			t.Fatalf("%d entries for one change", n)
		}
	})
}

// TestRevealContact: a unit handler of the assigned unit and the grid
// worker of the grid may see the masked contact for a reason, logged; a
// unit the case is not with may not; no reason, no reveal.
func TestRevealContact(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newAuditWorld(t, db)
		c := w.history(t, w.svc) // with 城管科, in grid W1
		handler := w.o.Actor(org.RoleUnitHandler)

		if v, err := w.svc.Get(bg, handler, c.ID); err != nil || v.Reporter.Phone == "13812345678" {
			t.Fatalf("the handler sees %v (%v): want it masked", v.Reporter, err)
		}
		if _, err := w.svc.RevealContact(bg, handler, c.ID, "  "); jiedao.ErrorCode(err) != jiedao.EINVALID {
			t.Fatalf("reveal without a reason: %v", err)
		}
		if _, err := w.svc.RevealContact(bg, w.o.MarketActor(), c.ID, "回访"); jiedao.ErrorCode(err) != jiedao.ENOTFOUND {
			t.Fatalf("reveal by a unit the case is not with: %v", err)
		}
		if _, err := w.svc.RevealContact(bg, w.o.Actor(org.RoleLeader), c.ID, "看看"); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("reveal by a leader: %v", err)
		}
		contact, err := w.svc.RevealContact(bg, handler, c.ID, "联系居民确认垃圾桶位置")
		must(t, err)
		if contact.Phone != "13812345678" || contact.Name != "张三" {
			t.Fatalf("revealed %+v", contact)
		}
		_, err = w.svc.RevealContact(bg, w.o.Actor(org.RoleGridWorker), c.ID, "上门核实")
		must(t, err)
		// A unit the case was with before, but is not any more, may not.
		_, err = w.svc.Step(bg, handler, c.ID, casework.StepInput{Action: casework.ActReturn, Reason: "不属本科"})
		if err == nil {
			if _, err := w.svc.RevealContact(bg, handler, c.ID, "回访"); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
				t.Fatalf("reveal by a unit the case was returned from: %v", err)
			}
		}

		rows, err := db.Query(bg, `SELECT actor_name, target_kind, target_id, reason, COALESCE(after_json, '') FROM audit_log WHERE action = 'contact.reveal' ORDER BY id`)
		must(t, err)
		defer rows.Close()
		var got []string
		for rows.Next() {
			var actor, kind, id, reason, after string
			must(t, rows.Scan(&actor, &kind, &id, &reason, &after))
			if strings.Contains(after, "13812345678") {
				t.Fatalf("the reveal's record keeps the number: %s", after)
			}
			got = append(got, fmt.Sprintf("%s %s:%s %s", actor, kind, id, reason))
		}
		want := []string{
			fmt.Sprintf("%s case:%d 联系居民确认垃圾桶位置", w.o.UnitHandler.Name, c.ID),
			fmt.Sprintf("%s case:%d 上门核实", w.o.GridWorker.Name, c.ID),
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("reveals logged:\n got %v\nwant %v", got, want)
		}
	})
}

// TestAuditSealWaitsForWriters: on PostgreSQL ids are taken before commit,
// so an event with a lower id may commit after one with a higher id. The
// sealer must not seal past a writer still in flight, or the late event
// would look inserted behind its back.
func TestAuditSealWaitsForWriters(t *testing.T) {
	db := testdb.Open(t, store.Postgres)
	w := newAuditWorld(t, db)
	c := w.history(t, w.svc)
	sealAll(t, db)
	raw, err := db.OpenRawWriter(bg, 2)
	must(t, err)
	defer raw.Close()
	insert := `INSERT INTO case_events (case_id, seq, action, actor_kind, actor_name, at, to_status, payload) VALUES ($1, $2, 'supervise', 'system', '系统', now(), 'signed', '{}')`
	slow, err := raw.BeginTx(bg, nil)
	must(t, err)
	defer slow.Rollback() //nolint:errcheck
	// The slow writer takes the lower id and commits last.
	_, err = slow.ExecContext(bg, insert, c.ID, 10)
	must(t, err)
	_, err = raw.ExecContext(bg, insert, c.ID, 11)
	must(t, err)

	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	if n, err := db.SealAudit(ctx, 0); err == nil || n != 0 {
		t.Fatalf("sealed %d (%v) while a writer holding a lower id was in flight", n, err)
	}
	must(t, slow.Commit())
	if n := sealAll(t, db); n != 2 {
		t.Fatalf("sealed %d after the writer committed, want 2", n)
	}
	wantIntact(t, db, scalar[int64](t, db, `SELECT COUNT(*) FROM case_events`))
}
