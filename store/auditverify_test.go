package store_test

import (
	"testing"

	"github.com/jiedao/jiedao/internal/gmcrypto"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/store"
)

// TestAuditCheckpoints: a verification stores a checkpoint; the next reads
// only what was sealed since; a forged checkpoint is ignored, a chain
// rewritten under a checkpoint is found, and small ranges (a record
// removed or inserted at a range's edge) verify the same as one.
func TestAuditCheckpoints(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		db.SetCrypto(gmcrypto.GM, keyring(t, testKey1))
		w := newAuditWorld(t, db)
		for range 4 {
			w.history(t, w.svc)
		}
		// An event gone before sealing, put back later as a forgery.
		gapID := scalar[int64](t, db, `SELECT MIN(id) + 5 FROM case_events`)
		exec(t, db, `CREATE TABLE forged AS SELECT * FROM case_events WHERE id = ?`, gapID)
		exec(t, db, `DELETE FROM case_events WHERE id = ?`, gapID)
		first := int64(sealAll(t, db))
		inc := func() *store.AuditReport {
			t.Helper()
			rep, err := db.VerifyAuditWith(bg, store.AuditVerifyOptions{Incremental: true, Checkpoint: true, RangeSize: 3})
			must(t, err)
			return rep
		}
		rep := inc()
		if rep.Problem != nil || rep.Checkpoint != nil || rep.From != 1 || rep.Verified != first || rep.Stored == nil || rep.Stored.Seq != first || rep.Stored.KeyID != "k1" {
			t.Fatalf("first verification: %+v", rep)
		}
		for range 2 {
			w.history(t, w.svc)
		}
		more := int64(sealAll(t, db))
		rep = inc()
		if rep.Problem != nil || rep.Checkpoint == nil || rep.Checkpoint.Seq != first || rep.From != first+1 || rep.Verified != more || rep.Head.Seq != first+more {
			t.Fatalf("incremental verification: %+v (checkpoint %+v)", rep, rep.Checkpoint)
		}
		// Nothing new: nothing to read, the head still checked.
		if rep = inc(); rep.Problem != nil || rep.Verified != 0 || rep.Head.Seq != first+more {
			t.Fatalf("verification with nothing new: %+v", rep)
		}
		// A record sealed after the checkpoint, altered: found.
		w.history(t, w.svc)
		more += int64(sealAll(t, db))
		evID := scalar[int64](t, db, `SELECT MAX(id) FROM case_events`)
		exec(t, db, `UPDATE case_events SET reason = 'x' WHERE id = ?`, evID)
		if rep = inc(); rep.Problem == nil || rep.Problem.Kind != "altered" || rep.Problem.RefID != evID || rep.Stored != nil {
			t.Fatalf("record altered after the checkpoint: %+v", rep.Problem)
		}
		exec(t, db, `UPDATE case_events SET reason = '' WHERE id = ?`, evID)
		if rep = inc(); rep.Problem != nil || rep.Stored == nil || rep.Stored.Seq != first+more {
			t.Fatalf("after putting it back: %+v", rep)
		}
		// A record before the checkpoint, altered: the routine verification
		// does not read it (the trade-off, docs/audit.md); --full finds it.
		oldID := scalar[int64](t, db, `SELECT MIN(id) FROM case_events`)
		exec(t, db, `UPDATE case_events SET reason = 'x' WHERE id = ?`, oldID)
		if rep = inc(); rep.Problem != nil || rep.Verified != 0 {
			t.Fatalf("incremental verification read before its checkpoint: %+v", rep)
		}
		if full := verify(t, db, nil); full.Problem == nil || full.Problem.RefID != oldID {
			t.Fatalf("full verification: %+v", full.Problem)
		}
		exec(t, db, `UPDATE case_events SET reason = '' WHERE id = ?`, oldID)
		wantIntact(t, db, first+more)

		// A checkpoint forged (moved forward, its MAC kept) is ignored: the
		// verification starts from the last genuine one.
		cps, err := db.AuditCheckpoints(bg, 10)
		must(t, err)
		exec(t, db, `UPDATE audit_checkpoints SET seq = seq + 100 WHERE id = ?`, cps[0].ID)
		rep = inc()
		if rep.Problem != nil || rep.Checkpoint == nil || rep.Checkpoint.ID == cps[0].ID {
			t.Fatalf("forged checkpoint used: %+v", rep.Checkpoint)
		}
		// Without the key, a keyed checkpoint cannot be checked: full.
		db.SetCrypto(gmcrypto.GM, nil)
		if rep = inc(); rep.Checkpoint != nil || rep.From != 1 || rep.Problem != nil {
			t.Fatalf("keyless verification used a keyed checkpoint: %+v", rep)
		}
		db.SetCrypto(gmcrypto.GM, keyring(t, testKey1))

		// The chain rewritten below the checkpoint (its entry's hash
		// changed): the incremental verification says so.
		last, err := db.AuditCheckpoints(bg, 1)
		must(t, err)
		exec(t, db, `UPDATE audit_chain SET hash = ? WHERE seq = ?`, "00"+last[0].Hash[2:], last[0].Seq)
		if rep = inc(); rep.Problem == nil || rep.Problem.Kind != "anchor" || rep.Problem.Seq != last[0].Seq {
			t.Fatalf("rewritten chain under a checkpoint: %+v", rep.Problem)
		}
		exec(t, db, `UPDATE audit_chain SET hash = ? WHERE seq = ?`, last[0].Hash, last[0].Seq)
		// The chain cut short below the checkpoint: said so, not verified
		// from scratch as if nothing had been there.
		exec(t, db, `CREATE TABLE cut AS SELECT * FROM audit_chain WHERE seq >= ?`, last[0].Seq)
		exec(t, db, `DELETE FROM audit_chain WHERE seq >= ?`, last[0].Seq)
		if rep = inc(); rep.Problem == nil || rep.Problem.Kind != "anchor" || rep.Problem.Seq != last[0].Seq {
			t.Fatalf("chain cut short under a checkpoint: %+v", rep.Problem)
		}
		exec(t, db, `INSERT INTO audit_chain SELECT * FROM cut`)

		// A record inserted between two ranges (below the frontier, never
		// sealed) is found by the gap check.
		exec(t, db, `CREATE TABLE gap AS SELECT * FROM case_events WHERE id = ?`, evID)
		exec(t, db, `DELETE FROM case_events WHERE id = ?`, evID)
		for _, size := range []int64{1, 2, 3, 1000} {
			rep, err := db.VerifyAuditWith(bg, store.AuditVerifyOptions{RangeSize: size})
			must(t, err)
			if rep.Problem == nil || rep.Problem.Kind != "removed" || rep.Problem.RefID != evID {
				t.Fatalf("range size %d: removed record: %+v", size, rep.Problem)
			}
		}
		exec(t, db, `INSERT INTO case_events SELECT * FROM gap`)
		exec(t, db, `INSERT INTO case_events SELECT * FROM forged`)
		for _, size := range []int64{1, 2, 3, 1000} {
			rep, err := db.VerifyAuditWith(bg, store.AuditVerifyOptions{RangeSize: size, ClientDigests: size%2 == 1})
			must(t, err)
			if rep.Problem == nil || rep.Problem.Kind != "inserted" || rep.Problem.RefID != gapID {
				t.Fatalf("range size %d: inserted record: %+v", size, rep.Problem)
			}
		}
		exec(t, db, `DELETE FROM case_events WHERE id = ?`, gapID)
		for _, size := range []int64{1, 2, 3, 1000} {
			rep, err := db.VerifyAuditWith(bg, store.AuditVerifyOptions{RangeSize: size, Workers: 3, ClientDigests: size%2 == 1})
			must(t, err)
			if rep.Problem != nil || rep.Verified != first+more {
				t.Fatalf("range size %d: %+v", size, rep)
			}
		}
	})
}
