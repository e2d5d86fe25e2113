package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// fixtureDB is a migrated database of the engine with the fixture
// organisation, for a test that then runs the binary on its DSN.
func fixtureDB(t *testing.T, engine store.Engine) (string, *store.DB, *fixture.Org) {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.DSN(t, engine)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	o, err := fixture.Build(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return dsn, db, o
}

// TestAuditBinary runs `jiedao audit` as an operator would, on both
// engines: seal a history, verify it, note the head; `jiedao retention run`
// erases the reporters' contacts and the chain still verifies; then one
// case event is edited directly in the database and `jiedao audit verify`
// names it and exits non-zero.
func TestAuditBinary(t *testing.T) {
	bin := buildBinary(t)
	ctx := context.Background()
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn, db, o := fixtureDB(t, engine)
			clock := fixture.NewClock(time.Date(2024, 6, 3, 9, 0, 0, 0, calendar.Zone()))
			svc := o.Service(clock.Now)
			var cases []*casework.Case
			for i := range 3 {
				lat, lon := o.LatLon(o.GridW1.ID)
				c, err := svc.Report(ctx, org.ResidentActor("张三"), casework.ReportInput{Category: fixture.CatExposedTrash,
					Details: "垃圾桶满溢", Lat: lat, Lon: lon, Reporter: casework.Contact{Name: "张三", Phone: "13812345678"}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.Step(ctx, o.Actor(org.RoleDispatcher), c.ID, casework.StepInput{Action: casework.ActReject, Reason: "重复上报 " + string(rune('A'+i))}); err != nil {
					t.Fatal(err)
				}
				cases = append(cases, c)
			}

			jiedao := func(args ...string) (string, int) {
				cmd := exec.Command(bin, append(args, "--db", dsn)...)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				err := cmd.Run()
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					return out.String(), ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				return out.String(), 0
			}
			if out, code := jiedao("audit", "seal"); code != 0 || !strings.Contains(out, "sealed 6 records") {
				t.Fatalf("audit seal: %d %s", code, out)
			}
			out, code := jiedao("audit", "verify")
			if code != 0 || !strings.Contains(out, "6 条记录已校验 / records verified") {
				t.Fatalf("audit verify: %d %s", code, out)
			}
			t.Logf("verify:\n%s", out)
			head, code := jiedao("audit", "head")
			head = strings.TrimSpace(head)
			if code != 0 || !strings.HasPrefix(head, "6:") || len(head) != 66 {
				t.Fatalf("audit head: %d %q", code, head)
			}

			// The retention job erases the three reporters' contacts (their
			// cases ended in 2024, longer ago than 180 days) and leaves the
			// sealed chain as it was; the dry run before it changes nothing.
			if out, code := jiedao("retention", "run", "--contact-retention", "0"); code != 0 || !strings.Contains(out, "nothing to do") {
				t.Fatalf("retention run with retention 0: %d %s", code, out)
			}
			if out, code := jiedao("retention", "run", "--dry-run"); code != 0 || !strings.Contains(out, "would anonymise (dry run, nothing changed) 3 reporters' contacts") {
				t.Fatalf("retention run --dry-run: %d %s", code, out)
			}
			if c, err := db.Cases().GetCase(ctx, cases[0].ID); err != nil || c.Reporter.Phone != "13812345678" {
				t.Fatalf("after the dry run: %+v %v", c.Reporter, err)
			}
			if out, code := jiedao("retention", "run"); code != 0 || !strings.Contains(out, "anonymised 3 reporters' contacts") {
				t.Fatalf("retention run: %d %s", code, out)
			}
			if c, err := db.Cases().GetCase(ctx, cases[0].ID); err != nil || c.Reporter.Phone != "" || c.Reporter.AnonymisedAt == nil {
				t.Fatalf("after the run: %+v %v", c.Reporter, err)
			}
			// The routine verification starts from the checkpoint the first
			// one stored: nothing was sealed since.
			out, code = jiedao("audit", "verify", "--anchor", head)
			if code != 0 || !strings.Contains(out, "0 条记录已校验 / records verified") || !strings.Contains(out, "from the checkpoint of") || !strings.Contains(out, "entry 6,") || !strings.Contains(out, "not sealed yet: 1 ") {
				t.Fatalf("audit verify after the retention run: %d %s", code, out)
			}
			out, code = jiedao("audit", "verify", "--full", "--anchor", head)
			if code != 0 || !strings.Contains(out, "6 条记录已校验 / records verified") || !strings.Contains(out, "algorithm sha256: 第 / entries 1–6") || !strings.Contains(out, "not sealed yet: 1 ") {
				t.Fatalf("audit verify --full after the retention run: %d %s", code, out)
			}

			// Someone with write access rewrites the reason of one rejection.
			c := cases[1]
			if _, err := db.Exec(ctx, `UPDATE case_events SET reason = ? WHERE case_id = ? AND seq = 2`, "符合受理条件", c.ID); err != nil {
				t.Fatal(err)
			}
			out, code = jiedao("audit", "verify", "--full", "--anchor", head)
			if code == 0 {
				t.Fatalf("audit verify passed a tampered event:\n%s", out)
			}
			if !strings.Contains(out, "被篡改 / altered") || !strings.Contains(out, "case "+c.Number+" 事件 / event #2") {
				t.Fatalf("audit verify does not name case %s event #2:\n%s", c.Number, out)
			}
			for _, other := range []*casework.Case{cases[0], cases[2]} {
				if strings.Contains(out, other.Number) {
					t.Fatalf("audit verify names case %s too:\n%s", other.Number, out)
				}
			}
			t.Logf("verify after tampering (exit %d):\n%s", code, out)
		})
	}
}
