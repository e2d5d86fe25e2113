package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit: concurrent small writes (a new case each) share one
// transaction, and so one durable commit — one fsync of SQLite's WAL, one
// WAL flush of PostgreSQL — instead of one each. On SQLite, where every
// write goes through the one writer connection, the commit is most of a
// small write's cost; on PostgreSQL every new case of a day also updates
// the day's row of case_numbers, so that concurrent cases would otherwise
// queue on its row lock, one commit at a time.
//
// There is no timer: the first writer to arrive when none is committing
// leads at once, alone; writers arriving while a batch commits wait, and
// the next leader takes all of them in one batch. Under load a batch is
// whatever arrived during the previous commit; when idle a write waits for
// nobody. Every writer returns only after the commit of its batch: a case
// is acknowledged only once durable.
//
// A writer's error fails that writer only. A batch first runs without
// savepoints (they cost two round trips each on PostgreSQL); when one
// member fails, the transaction is rolled back, that member gets its
// error, and the rest run again with a savepoint each, so that any further
// failure rolls back to its savepoint only. A failure of the transaction
// itself (begin, commit, a savepoint statement) fails every member: none
// was committed. Members' functions must therefore be safe to run again.

// maxGroup bounds a batch, so that one transaction stays short.
const maxGroup = 256

// groupTimeout bounds a batch's transaction, which runs on behalf of
// several requests and so cannot end with any one of them.
const groupTimeout = time.Minute

type groupReq struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx conn) error
	err  error
	done bool      // err is final
	wake chan bool // true: lead the next batch; false: done
	// after is what the member asked to run once committed (afterCommit);
	// reset each time the member runs, as a run rolled back never happened.
	after []func()
}

type committer struct {
	mu      sync.Mutex
	pending []*groupReq
	leading bool // a leader is committing a batch
	// batches and members count the committed batches and the writers
	// they held, for benchmarks.
	batches, members atomic.Int64
	// reruns counts the batches whose new cases failed together and
	// were run again member by member (groupcases.go).
	reruns atomic.Int64
}

// GroupCommitStats returns how many group transactions have committed
// since the database was opened and how many writers they held.
func (db *DB) GroupCommitStats() (batches, writers int64) {
	return db.group.batches.Load(), db.group.members.Load()
}

// SetGroupCommit turns group commit on (the default) or off: off, each
// new case is one transaction of its own. Benchmarks compare the two.
func (db *DB) SetGroupCommit(on bool) { db.noGroup.Store(!on) }

// inGroupTx runs fn in a write transaction shared with other concurrent
// callers of inGroupTx, and returns once that transaction has committed
// (nil) or fn's or the transaction's error. fn must use the context it is
// given, the batch's: a statement cancelled by one caller's context (a
// client hanging up) would break the transaction of all.
func (db *DB) inGroupTx(ctx context.Context, fn func(ctx context.Context, tx conn) error) error {
	if db.noGroup.Load() {
		return db.inTx(ctx, func(tx conn) error { return fn(ctx, tx) })
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	g := &db.group
	r := &groupReq{ctx: ctx, fn: fn, wake: make(chan bool, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, r)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead && !<-r.wake {
		r.committed()
		return r.err
	}
	// r leads: it is the first pending writer.
	g.mu.Lock()
	n := min(len(g.pending), maxGroup)
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()

	db.commitGroup(batch)

	g.mu.Lock()
	if len(g.pending) > 0 {
		g.pending[0].wake <- true
	} else {
		g.leading = false
		g.pending = nil
	}
	g.mu.Unlock()
	for _, m := range batch {
		if m != r {
			m.wake <- false
		}
	}
	r.committed()
	return r.err
}

// committed runs the member's afterCommit functions when it succeeded.
func (r *groupReq) committed() {
	if r.err != nil {
		return
	}
	for _, f := range r.after {
		f()
	}
}

// call runs the member's function. A panic becomes the member's error:
// it runs on the leader's goroutine, and a leader that never finished
// would leave every later writer waiting.
func (r *groupReq) call(ctx context.Context, c conn) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: panic in a grouped write: %v\n%s", p, debug.Stack())
		}
	}()
	return r.fn(ctx, c)
}

// commitGroup runs a batch and sets every member's err.
func (db *DB) commitGroup(batch []*groupReq) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), groupTimeout)
	defer cancel()
	live := make([]*groupReq, 0, len(batch))
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			// Given up before it started: it never will.
			r.err, r.done = err, true
			continue
		}
		live = append(live, r)
	}
	savepoints := false
	for len(live) > 0 {
		failed, err := db.runGroup(ctx, live, savepoints)
		if err == nil {
			return
		}
		if errors.Is(err, errBatchWrite) && !savepoints {
			// The batch's new cases failed together: find the member
			// by running them again one by one.
			db.group.reruns.Add(1)
			savepoints = true
			continue
		}
		if failed < 0 || savepoints {
			for _, r := range live {
				if !r.done {
					r.err = err
				}
			}
			return
		}
		live[failed].err, live[failed].done = err, true
		live = append(live[:failed:failed], live[failed+1:]...)
		savepoints = true
	}
}

// runGroup runs the live members in one transaction. Without savepoints,
// the first member to fail rolls the whole transaction back: runGroup
// returns its index and error. With them, a member's failure is its own
// (its err is set) and the others go on. An error with index -1 is the
// transaction's own.
func (db *DB) runGroup(ctx context.Context, live []*groupReq, savepoints bool) (int, error) {
	var raw *sql.Conn
	if db.engine == Postgres {
		// The transaction's own connection, through which its sequences
		// of statements are pipelined (pipeline.go).
		var err error
		if raw, err = db.write.Conn(ctx); err != nil {
			return -1, mapError(err)
		}
		defer raw.Close()
	}
	var tx *sql.Tx
	var err error
	if raw != nil {
		tx, err = raw.BeginTx(ctx, nil)
	} else {
		tx, err = db.write.BeginTx(ctx, nil)
	}
	if err != nil {
		return -1, mapError(err)
	}
	c := conn{db: db, q: tx, stmts: map[string]*sql.Stmt{}, raw: raw}
	defer db.endTx(ctx, c.stmts)
	// The members' changes to the aggregates are written once, sorted,
	// before the commit: fewer statements, and the rows locked in the
	// same order as every other writer locks them (no deadlock on
	// PostgreSQL). A member's own delta joins the batch's only when the
	// member succeeded, as its rows do.
	batchAgg := newAggDelta()
	var newCases *newCaseBatch
	if !savepoints {
		newCases = &newCaseBatch{}
	}
	for i, r := range live {
		r.err, r.after = nil, nil
		mc := c
		mc.aggregates = newAggDelta()
		mc.committed = &r.after
		mc.newCases = newCases
		if !savepoints {
			if err := r.call(ctx, mc); err != nil {
				_ = tx.Rollback()
				return i, err
			}
			batchAgg.merge(mc.aggregates)
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT group_member"); err != nil {
			_ = tx.Rollback()
			return -1, mapError(err)
		}
		if err := r.call(ctx, mc); err != nil {
			r.err, r.done = err, true
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT group_member"); err != nil {
				_ = tx.Rollback()
				return -1, mapError(err)
			}
		} else {
			batchAgg.merge(mc.aggregates)
		}
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT group_member"); err != nil {
			_ = tx.Rollback()
			return -1, mapError(err)
		}
	}
	if newCases != nil {
		bc := c
		bc.aggregates = batchAgg
		if err := newCases.write(ctx, bc); err != nil {
			_ = tx.Rollback()
			return -1, fmt.Errorf("%w: %w", errBatchWrite, err)
		}
	}
	if err := batchAgg.flush(ctx, c); err != nil {
		_ = tx.Rollback()
		return -1, err
	}
	if err := tx.Commit(); err != nil {
		return -1, mapError(err)
	}
	db.group.batches.Add(1)
	db.group.members.Add(int64(len(live)))
	return -1, nil
}
