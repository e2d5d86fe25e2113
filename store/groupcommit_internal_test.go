package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
)

// openScratch opens an empty database of each engine without migrations
// (package testdb imports this package, so it cannot serve this test).
func openScratch(t *testing.T, engine Engine) *DB {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "gc.db")
	if engine == Postgres {
		base := os.Getenv("JIEDAO_TEST_POSTGRES")
		if base == "" {
			if os.Getenv("JIEDAO_TEST_SQLITE_ONLY") == "1" {
				t.Skip("JIEDAO_TEST_SQLITE_ONLY=1")
			}
			t.Fatal("JIEDAO_TEST_POSTGRES is not set: run the tests with scripts/test")
		}
		schema := fmt.Sprintf("gc_%d_%d", os.Getpid(), time.Now().UnixNano())
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestGroupCommitIsolatesFailures makes one batch of many writers, three
// of which fail (a duplicate key, an error of their own, a panic), and
// checks that exactly those three fail, that the others are all committed
// in one transaction, that the failed ones left nothing, and that the
// committer is free again.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	for _, engine := range []Engine{SQLite, Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			db := openScratch(t, engine)
			ctx := context.Background()
			if _, err := db.writer().exec(ctx, `CREATE TABLE gc_test (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			const n = 40
			// The first writer leads a batch of its own and holds it until
			// every other writer is queued behind it, so that they make the
			// next batch together.
			waitQueued := func() error {
				deadline := time.Now().Add(30 * time.Second)
				for {
					db.group.mu.Lock()
					queued := len(db.group.pending)
					db.group.mu.Unlock()
					if queued == n-1 {
						return nil
					}
					if time.Now().After(deadline) {
						return fmt.Errorf("only %d writers queued", queued)
					}
					time.Sleep(time.Millisecond)
				}
			}
			var mu sync.Mutex
			ranIn := map[int]any{} // writer → the transaction its last run was in
			errs := make([]error, n)
			write := func(i int) error {
				return db.inGroupTx(ctx, func(ctx context.Context, tx conn) error {
					mu.Lock()
					ranIn[i] = tx.q
					mu.Unlock()
					if i == 0 {
						if err := waitQueued(); err != nil {
							return err
						}
					}
					if i == 17 {
						return jiedao.Invalid("v", "第17个写入失败", "writer 17 fails")
					}
					if i == 23 {
						panic("writer 23 panics")
					}
					key := fmt.Sprint("k", i)
					if i == 5 || i == 30 {
						key = "dup" // 5 and 30 collide; whichever runs second fails
					}
					_, err := tx.exec(ctx, `INSERT INTO gc_test (k, v) VALUES (?, ?)`, key, i)
					return err
				})
			}
			var wg sync.WaitGroup
			first := make(chan error, 1)
			go func() { first <- write(0) }()
			// Writer 0 leads once it is the batch being committed.
			for {
				db.group.mu.Lock()
				leading := db.group.leading && len(db.group.pending) == 0
				db.group.mu.Unlock()
				if leading {
					break
				}
				time.Sleep(time.Millisecond)
			}
			for i := 1; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = write(i)
				}()
			}
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatalf("writer 0: %v", err)
			}
			failed := 0
			var tx any
			for i := 1; i < n; i++ {
				switch {
				case i == 17:
					if jiedao.ErrorCode(errs[i]) != jiedao.EINVALID {
						t.Errorf("writer 17: %v, want its own error", errs[i])
					}
					failed++
				case i == 23:
					if errs[i] == nil || !strings.Contains(errs[i].Error(), "writer 23 panics") {
						t.Errorf("writer 23: %v, want its panic as its error", errs[i])
					}
					failed++
				case i == 5 || i == 30:
					if errs[i] != nil {
						if jiedao.ErrorCode(errs[i]) != jiedao.ECONFLICT {
							t.Errorf("writer %d: %v, want a conflict", i, errs[i])
						}
						failed++
					}
				case errs[i] != nil:
					t.Errorf("writer %d failed with another's error: %v", i, errs[i])
				default:
					if tx == nil {
						tx = ranIn[i]
					} else if ranIn[i] != tx {
						t.Errorf("writer %d committed in another transaction than the rest of its batch", i)
					}
				}
			}
			if failed != 3 {
				t.Errorf("%d writers failed, want 3 (17, 23, and one of 5 and 30)", failed)
			}
			var rows int
			if err := db.reader().queryRow(ctx, `SELECT COUNT(*) FROM gc_test`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != n-3 {
				t.Errorf("%d rows stored, want %d", rows, n-3)
			}
			db.group.mu.Lock()
			defer db.group.mu.Unlock()
			if db.group.leading || len(db.group.pending) != 0 {
				t.Errorf("committer not idle after the batches: leading %v, %d pending", db.group.leading, len(db.group.pending))
			}
		})
	}
}
