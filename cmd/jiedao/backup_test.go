package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// freshDatabase returns the DSN of a new, empty database of the engine:
// an SQLite file, or a PostgreSQL database of its own (not a schema, as
// testdb gives: a backup of a whole database restores into another one).
func freshDatabase(t *testing.T, engine store.Engine, name string) string {
	t.Helper()
	if engine == store.SQLite {
		return filepath.Join(t.TempDir(), name+".db")
	}
	base := os.Getenv("JIEDAO_TEST_POSTGRES")
	if base == "" {
		testdb.DSN(t, engine) // skips or fails as every PostgreSQL test does
		return ""
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	db := fmt.Sprintf("jiedao_bk_%d_%s_%d", os.Getpid(), name, time.Now().UnixNano()%1e6)
	if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	return u.String()
}

// TestBackupRestore backs a database up with the binary while a writer
// keeps adding cases, restores it into a fresh database, and checks that
// the restore holds exactly what the backup saw: a prefix of the writer's
// cases, each identical to the source's and the replay of its own events.
// A sealer runs beside the writer, as serve's does; the restored audit
// chain must verify, still hold the head written down before the backup
// (an anchor), and take the rest of the records when sealed again.
// Then the refusals: a database with data without --force, a database
// another process has open (SQLite), a file that is not a backup.
func TestBackupRestore(t *testing.T) {
	bin := buildBinary(t)
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			srcDSN, dstDSN := freshDatabase(t, engine, "src"), freshDatabase(t, engine, "dst")
			jiedao := func(args ...string) (string, error) {
				cmd := exec.Command(bin, args...)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				err := cmd.Run()
				return out.String(), err
			}

			src, err := store.Open(ctx, srcDSN)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if _, err := src.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			fx, err := fixture.Build(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			svc := fx.Service(time.Now)
			worker, disp := fx.Actor(org.RoleGridWorker), fx.Actor(org.RoleDispatcher)
			report := func(i int) (*casework.Case, error) {
				lat, lon := fx.LatLon(fx.GridW1.ID)
				return svc.Report(ctx, worker, casework.ReportInput{Category: fixture.CatExposedTrash,
					Details: fmt.Sprintf("第%d件：文一路垃圾桶满溢", i), Lat: lat, Lon: lon,
					Reporter: casework.Contact{Name: "王女士", Phone: "13812345678"}})
			}
			// Cases with a history: accepted and dispatched.
			for i := range 20 {
				c, err := report(i)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.Step(ctx, disp, c.ID, casework.StepInput{Action: casework.ActAccept}); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.Step(ctx, disp, c.ID, casework.StepInput{Action: casework.ActDispatch, UnitID: fx.Chengguan.ID}); err != nil {
					t.Fatal(err)
				}
			}

			// The chain's head, written down before the backup as an
			// operator would (jiedao audit head): the restore must keep it.
			if _, err := src.SealAudit(ctx, 0); err != nil {
				t.Fatal(err)
			}
			anchor, err := src.AuditHead(ctx)
			if err != nil || anchor.Seq == 0 {
				t.Fatalf("audit head before the backup: %v %v", anchor, err)
			}

			// The writer: new cases, one after another, until told to stop
			// (at most 5000, so that a stuck backup cannot make it run on);
			// and a sealer, as serve runs one.
			var written atomic.Int64
			written.Store(20)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var writeErr, sealErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Millisecond):
					}
					if _, err := src.SealAudit(ctx, 0); err != nil {
						sealErr = err
						return
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := 20; i < 5000; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := report(i); err != nil {
						writeErr = err
						return
					}
					written.Add(1)
				}
			}()
			for written.Load() < 25 && writeErr == nil {
				time.Sleep(time.Millisecond)
			}
			backupFile := filepath.Join(t.TempDir(), "backups", "jiedao.backup")
			before := written.Load()
			out, err := jiedao("backup", "--db", srcDSN, "--out", backupFile)
			during := written.Load() - before
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatalf("backup: %v\n%s", err, out)
			}
			if writeErr != nil || sealErr != nil {
				t.Fatalf("the writer or the sealer failed during the backup: %v, %v", writeErr, sealErr)
			}
			if !strings.Contains(out, "已备份到") || !strings.Contains(out, "backed up to") {
				t.Fatalf("backup said: %s", out)
			}
			if during == 0 {
				t.Fatal("no case was written while the backup ran: the test did not test a backup under load")
			}
			t.Logf("backup under load: %d cases before, %d written while it ran; %s", before, during, strings.TrimSpace(out))
			if st, err := os.Stat(backupFile); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("backup file: %v %v", st, err)
			}

			out, err = jiedao("restore", "--db", dstDSN, "--from", backupFile)
			if err != nil {
				t.Fatalf("restore: %v\n%s", err, out)
			}
			t.Log(strings.TrimSpace(out))
			dst, err := store.Open(ctx, dstDSN)
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			if applied, err := dst.Migrate(ctx); err != nil || len(applied) > 0 {
				t.Fatalf("the restored database is not at the current schema: %v %v", applied, err)
			}

			all := casework.Filter{Scope: casework.Scope{All: true}, Limit: 100000}
			srcCases, _, err := src.Cases().ListCases(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			dstCases, n, err := dst.Cases().ListCases(ctx, all)
			if err != nil {
				t.Fatal(err)
			}
			if int64(n) < before || int64(n) > before+during || n != len(dstCases) {
				t.Fatalf("restored %d cases; the backup began with %d and at most %d more were written while it ran", n, before, during)
			}
			bySrc := map[int64]*casework.Case{}
			for _, c := range srcCases {
				bySrc[c.ID] = c
			}
			// The backup is one snapshot of one writer's work: the cases it
			// holds are the first n the writer made, none missing.
			var maxID int64
			for _, c := range dstCases {
				maxID = max(maxID, c.ID)
			}
			for _, c := range srcCases {
				if c.ID <= maxID && !containsID(dstCases, c.ID) {
					t.Fatalf("case %d, made before case %d, is missing from the restore", c.ID, maxID)
				}
			}
			for _, c := range dstCases {
				evs, err := dst.Cases().ListEvents(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				replayed, err := casework.Replay(evs)
				if err != nil {
					t.Fatalf("case %d: replay: %v", c.ID, err)
				}
				got, _ := json.Marshal(c)
				want, _ := json.Marshal(replayed)
				if string(got) != string(want) {
					t.Fatalf("case %d: restored and replayed differ:\nrestored %s\nreplayed %s", c.ID, got, want)
				}
				srcEvs, err := src.Cases().ListEvents(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				orig, _ := json.Marshal(bySrc[c.ID])
				e1, _ := json.Marshal(evs)
				e2, _ := json.Marshal(srcEvs)
				if string(got) != string(orig) || string(e1) != string(e2) {
					t.Fatalf("case %d differs from the source:\nrestored %s\nsource   %s", c.ID, got, orig)
				}
			}
			t.Logf("restored %d cases, each identical to the source and the replay of its events", n)

			// The restored chain verifies and still holds the anchor; what
			// was written but not sealed when the backup was taken is
			// sealed now and verifies too.
			out, err = jiedao("audit", "verify", "--db", dstDSN, "--anchor", anchor.String())
			if err != nil || !strings.Contains(out, "审计链完好") {
				t.Fatalf("audit verify after the restore: %v\n%s", err, out)
			}
			t.Logf("after the restore: %s", strings.TrimSpace(out))
			if out, err = jiedao("audit", "seal", "--db", dstDSN); err != nil {
				t.Fatalf("audit seal after the restore: %v\n%s", err, out)
			}
			out, err = jiedao("audit", "verify", "--full", "--db", dstDSN, "--anchor", anchor.String(), "--format", "json")
			var rep store.AuditReport
			if err != nil || json.Unmarshal([]byte(out), &rep) != nil || rep.Unsealed != 0 || rep.Events < int64(n) {
				t.Fatalf("audit verify after sealing the restore: %v\n%s", err, out)
			}

			// The restored database goes on: the next case gets a new id.
			dsvc := &casework.Service{Store: dst.Cases(), Units: dst.Org(), Calendars: dst.Calendar(calendar.DefaultWorkingHours()),
				Places: org.NewPlaces(dst.Org()), Now: time.Now, Log: svc.Log}
			next, err := dsvc.Report(ctx, worker, casework.ReportInput{Category: fixture.CatExposedTrash, Details: "恢复后的第一件", Address: "文一路"})
			if err != nil || next.ID <= maxID {
				t.Fatalf("a case after the restore: %v %+v", err, next)
			}

			if engine == store.SQLite {
				// This process has the database open, as a serve would:
				// replacing the file under it would lose its writes.
				out, err = jiedao("restore", "--db", dstDSN, "--from", backupFile, "--force")
				if err == nil || !strings.Contains(out, "正被其他进程使用") || !strings.Contains(out, "in use by another process") {
					t.Fatalf("restore under an open database: %v\n%s", err, out)
				}
			}
			dst.Close()
			stillThere := func() {
				t.Helper()
				db, err := store.Open(ctx, dstDSN)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Cases().GetCase(ctx, next.ID); err != nil {
					t.Fatalf("a refused restore changed the database: %v", err)
				}
			}
			// A database that holds data is not replaced without --force,
			// and is left as it was.
			out, err = jiedao("restore", "--db", dstDSN, "--from", backupFile)
			if err == nil || !strings.Contains(out, "不是空的") || !strings.Contains(out, "not empty") {
				t.Fatalf("restore over data without --force: %v\n%s", err, out)
			}
			stillThere()
			// A file that is not a backup is refused, the database kept.
			junk := filepath.Join(t.TempDir(), "junk.backup")
			if err := os.WriteFile(junk, []byte("这不是备份 / not a backup"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err = jiedao("restore", "--db", dstDSN, "--from", junk, "--force")
			if err == nil || !strings.Contains(out, "备份") || !strings.Contains(out, "backup") {
				t.Fatalf("restore of junk: %v\n%s", err, out)
			}
			stillThere()
			// With --force the backup replaces the data: the case made
			// after the restore is gone again.
			out, err = jiedao("restore", "--db", dstDSN, "--from", backupFile, "--force")
			if err != nil {
				t.Fatalf("restore --force: %v\n%s", err, out)
			}
			again, err := store.Open(ctx, dstDSN)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			if _, m, err := again.Cases().ListCases(ctx, all); err != nil || m != n {
				t.Fatalf("after restore --force: %d cases, want %d (%v)", m, n, err)
			}
			if engine == store.SQLite {
				// No temporary file is left beside the backup or the database.
				for _, dir := range []string{filepath.Dir(backupFile), filepath.Dir(dstDSN)} {
					entries, _ := os.ReadDir(dir)
					for _, e := range entries {
						if strings.Contains(e.Name(), ".tmp-") {
							t.Errorf("temporary file left: %s", filepath.Join(dir, e.Name()))
						}
					}
				}
			}
		})
	}
}

func containsID(cs []*casework.Case, id int64) bool {
	for _, c := range cs {
		if c.ID == id {
			return true
		}
	}
	return false
}
