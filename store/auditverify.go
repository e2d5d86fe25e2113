package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/jiedao/jiedao/internal/gmcrypto"
)

// Verification of the audit chain (docs/audit.md).
//
// Every entry stores its hash, so each link hash(n) = H(hash(n-1) ||
// digest(n)) can be checked from the stored hash(n-1) alone: the chain is
// cut into ranges of seqs, verified at once by workers on connections of
// their own, each range starting from the stored hash before it (the
// boundary, itself checked as the last link of the range before). A range
// reads its chain entries, then the records they name (one query per
// source over the range's id span); the records of an id span no entry
// names are forgeries ("inserted"). Between ranges, what lies in a source
// between one range's last record and the next range's first is counted
// by one query on the primary key. The first problem by seq is reported.
//
// Checkpoints: a verification that found the chain intact may store a
// checkpoint (its head, the sealed frontiers, when), MACed with a key
// derived from the SM4 key when one is configured. The next routine
// verification starts after the latest checkpoint whose MAC holds and whose
// entry still has the hash it had: it reads only what was sealed since.

// AuditVerifyOptions says how to verify.
type AuditVerifyOptions struct {
	// Anchor, if not nil, is a head written down before: the chain must
	// still have it.
	Anchor *AuditHead
	// Incremental starts after the latest valid checkpoint, if any.
	Incremental bool
	// Checkpoint stores a checkpoint when the chain is intact.
	Checkpoint bool
	// Workers bounds the ranges verified at once (0: up to GOMAXPROCS, at
	// most 6, at least 2).
	Workers int
	// RangeSize is how many entries a range holds (0: 65,536).
	RangeSize int64
	// ClientDigests, on PostgreSQL, reads the records' columns and hashes
	// them in the client, as on SQLite, instead of having the server build
	// and digest the canonical bytes (to compare; and for a database whose
	// encoding is not UTF8).
	ClientDigests bool
}

// AuditCheckpoint is a head a verification found intact.
type AuditCheckpoint struct {
	ID         int64     `json:"id"`
	Seq        int64     `json:"seq"`
	Hash       string    `json:"hash"`
	EventID    int64     `json:"event_id"`
	AdminID    int64     `json:"admin_id"`
	VerifiedAt time.Time `json:"verified_at"`
	FromSeq    int64     `json:"from_seq"` // where the verification that made it began (1: a full one)
	Alg        string    `json:"alg"`
	KeyID      string    `json:"key_id"` // "" for an unkeyed checkpoint
}

// AlgSpan is a run of entries sealed with one algorithm.
type AlgSpan struct {
	Alg  string `json:"alg"`
	From int64  `json:"from"`
	To   int64  `json:"to"`
}

// VerifyAudit verifies the whole chain (no checkpoint is used or stored).
func (db *DB) VerifyAudit(ctx context.Context, anchor *AuditHead) (*AuditReport, error) {
	return db.VerifyAuditWith(ctx, AuditVerifyOptions{Anchor: anchor})
}

type chainEntry struct {
	seq    int64
	source byte // 'e' or 'a'; '?' for an entry that can match nothing
	alg    gmcrypto.Hash
	ref    int64
	hash   [32]byte
	digest [32]byte
}

// rangeResult is what a worker found in seqs [a, b].
type rangeResult struct {
	a, b        int64
	srcs        []byte           // each entry's source, in seq order
	algs        []AlgSpan        // the algorithms of the range, in order
	first, last [2]int64         // the first and last ref of each source (0, 1: event, admin); 0 for none
	firstSeq    [2]int64         // the seq of each source's first entry
	hashAt      map[int64]string // the verified hash at the anchor's seq, if in the range
	lastHash    [32]byte
	problem     *AuditProblem
	rec         *auditRecord
	err         error
}

func srcIndex(b byte) int {
	if b == 'a' {
		return 1
	}
	return 0
}

func srcName(b byte) string {
	switch b {
	case 'e':
		return auditEvent
	case 'a':
		return auditAdmin
	}
	return ""
}

// VerifyAuditWith walks the chain as the options say, recomputing every
// hash from the records as they are now, and reports the first problem.
func (db *DB) VerifyAuditWith(parent context.Context, o AuditVerifyOptions) (*AuditReport, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	rep := &AuditReport{}
	r := db.reader()

	// The entries are counted only for a full verification: on a
	// city's chain (62 million entries) the count alone took seconds,
	// more than a day's entries take to verify from a checkpoint.
	var n, count int64
	if o.Incremental {
		if err := r.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_chain`).Scan(&n); err != nil {
			return nil, err
		}
	} else if err := r.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM audit_chain`).Scan(&n, &count); err != nil {
		return nil, err
	}
	from := int64(1)
	var base [2]int64 // the sealed frontiers before from
	var prevHash [32]byte
	if o.Incremental {
		cp, err := db.latestCheckpoint(ctx)
		if err != nil {
			return nil, err
		}
		if cp != nil && cp.Seq > n {
			rep.Problem = &AuditProblem{Kind: "anchor", Seq: cp.Seq,
				Detail: fmt.Sprintf("the chain ends at %d, before the checkpoint verified at %s: entries were removed", n, cp.VerifiedAt.Format(time.RFC3339)),
				Name:   fmt.Sprintf("审计链条目 / chain entry %d", cp.Seq)}
			rep.Took = time.Since(start)
			return rep, nil
		}
		if cp != nil {
			var h string
			err := r.queryRow(ctx, `SELECT hash FROM audit_chain WHERE seq = ?`, cp.Seq).Scan(&h)
			if err != nil && err != sql.ErrNoRows {
				return nil, err
			}
			if h != cp.Hash {
				rep.Problem = &AuditProblem{Kind: "anchor", Seq: cp.Seq,
					Detail: "the chain was rewritten before the checkpoint verified at " + cp.VerifiedAt.Format(time.RFC3339) + ": its entry differs from the checkpoint",
					Name:   fmt.Sprintf("审计链条目 / chain entry %d", cp.Seq)}
				rep.Took = time.Since(start)
				return rep, nil
			}
			rep.Checkpoint = cp
			from, base = cp.Seq+1, [2]int64{cp.EventID, cp.AdminID}
			hex.Decode(prevHash[:], []byte(cp.Hash))
			rep.Head = AuditHead{Seq: cp.Seq, Hash: cp.Hash}
		}
	}
	rep.From = from
	size := o.RangeSize
	if size <= 0 {
		size = 65536
	}
	workers := o.Workers
	if workers <= 0 {
		workers = max(2, min(runtime.GOMAXPROCS(0), 6))
	}
	var anchorSeq int64 = -1
	if o.Anchor != nil {
		anchorSeq = o.Anchor.Seq
	}

	// The ranges, verified at once.
	var results []*rangeResult
	for a := from; a <= n; a += size {
		results = append(results, &rangeResult{a: a, b: min(a+size-1, n)})
	}
	work := make(chan *rangeResult)
	var wg sync.WaitGroup
	for range min(workers, max(len(results), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, done, err := db.verifyConn(ctx)
			defer done()
			for rr := range work {
				if err != nil {
					rr.err = err
				} else if ctx.Err() == nil {
					rr.err = db.verifyRange(ctx, r, rr, anchorSeq, db.engine == Postgres && !o.ClientDigests)
				}
			}
		}()
	}
	for _, rr := range results {
		work <- rr
	}
	close(work)
	wg.Wait()
	if err := parent.Err(); err != nil {
		return nil, err
	}

	var problem *AuditProblem
	var problemRec *auditRecord
	note := func(p *AuditProblem, rec *auditRecord) {
		if problem == nil || p.Seq < problem.Seq {
			problem, problemRec = p, rec
		}
	}
	last := base
	var lastHash [32]byte = prevHash
	var anchorHash string
	for _, rr := range results {
		if rr.err != nil {
			return nil, rr.err
		}
		if rr.problem != nil {
			note(rr.problem, rr.rec)
		}
		// Between the ranges: each source's refs go on rising, and nothing
		// lies unsealed in the gap.
		for i, table := range []string{"case_events", "audit_log"} {
			f := rr.first[i]
			if f == 0 {
				continue
			}
			src := [2]byte{'e', 'a'}[i]
			if f <= last[i] {
				note(&AuditProblem{Kind: "inserted", Seq: rr.firstSeq[i], Source: srcName(src), RefID: f,
					Detail: "a chain entry names a record sealed before it"}, nil)
			} else if rec, err := db.auditGap(ctx, table, last[i], f); err != nil {
				return nil, err
			} else if rec != nil {
				note(&AuditProblem{Kind: "inserted", Seq: rr.firstSeq[i], Source: srcName(src), RefID: rec.id,
					Detail: "a record older than sealed ones was never sealed"}, rec)
			}
			last[i] = rr.last[i]
		}
		lastHash = rr.lastHash
		if h, ok := rr.hashAt[anchorSeq]; ok {
			anchorHash = h
		}
	}
	if !o.Incremental && count != n && problem == nil {
		// Seqs are dense from 1: fewer rows than the highest seq is a gap
		// the ranges saw; more is a duplicate the primary key forbids.
		note(&AuditProblem{Kind: "removed", Seq: n, Detail: fmt.Sprintf("the chain holds %d entries up to seq %d", count, n)}, nil)
	}
	if problem == nil && o.Anchor != nil {
		switch {
		case o.Anchor.Seq > n:
			problem = &AuditProblem{Kind: "anchor", Seq: o.Anchor.Seq, Detail: fmt.Sprintf("the chain ends at %d, before the anchor: entries were removed", n)}
		case o.Anchor.Seq < from:
			// Vouched for by the checkpoint: compare the stored entry.
			var h string
			_ = r.queryRow(ctx, `SELECT hash FROM audit_chain WHERE seq = ?`, o.Anchor.Seq).Scan(&h)
			anchorHash = h
			fallthrough
		default:
			if anchorHash != o.Anchor.Hash {
				problem = &AuditProblem{Kind: "anchor", Seq: o.Anchor.Seq, Detail: "the chain was rewritten: its entry differs from the anchor written down"}
			}
		}
	}

	// Counts, and the algorithms, up to the problem.
	end := n
	if problem != nil {
		end = problem.Seq - 1
		if problem.Kind == "anchor" {
			end = min(n, problem.Seq)
		}
	}
	for _, rr := range results {
		for i, s := range rr.srcs {
			seq := rr.a + int64(i)
			if seq > end {
				break
			}
			rep.Verified++
			if s == 'a' {
				rep.Admin++
			} else {
				rep.Events++
			}
		}
		for _, sp := range rr.algs {
			if sp.From > end {
				break
			}
			sp.To = min(sp.To, end)
			if k := len(rep.Algorithms); k > 0 && rep.Algorithms[k-1].Alg == sp.Alg && rep.Algorithms[k-1].To == sp.From-1 {
				rep.Algorithms[k-1].To = sp.To
			} else {
				rep.Algorithms = append(rep.Algorithms, sp)
			}
		}
	}
	if problem == nil {
		if n >= from {
			rep.Head = AuditHead{Seq: n, Hash: hex.EncodeToString(lastHash[:])}
		}
		// What follows the frontier is not sealed yet.
		for i, table := range []string{"case_events", "audit_log"} {
			var u int64
			if err := r.queryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id > ?`, last[i]).Scan(&u); err != nil {
				return nil, err
			}
			rep.Unsealed += u
		}
		if o.Checkpoint && n > 0 && rep.Head.Seq == n {
			cp, err := db.storeCheckpoint(ctx, rep.Head, last, from, results)
			if err != nil {
				return nil, err
			}
			rep.Stored = cp
		}
	} else if end > 0 && end >= from {
		var h string
		_ = r.queryRow(ctx, `SELECT hash FROM audit_chain WHERE seq = ?`, end).Scan(&h)
		rep.Head = AuditHead{Seq: end, Hash: h}
	}
	rep.Took = time.Since(start)
	if problem != nil {
		rep.Problem = problem
		cancel()
		rep.Problem.Name = db.auditName(parent, problem, problemRec)
	}
	return rep, nil
}

// verifyConn is a worker's connection. On SQLite it is a read connection
// of its own with the file memory-mapped (the pure-Go driver otherwise
// reads every page with a system call) and a larger page cache, both set
// back before the connection returns to the pool; on PostgreSQL the pool.
func (db *DB) verifyConn(ctx context.Context) (conn, func(), error) {
	if db.engine != SQLite {
		return db.reader(), func() {}, nil
	}
	c, err := db.read.Conn(ctx)
	if err != nil {
		return conn{}, func() {}, err
	}
	done := func() {
		_, _ = c.ExecContext(context.Background(), `PRAGMA mmap_size = 0`)
		_, _ = c.ExecContext(context.Background(), `PRAGMA cache_size = -2000`)
		c.Close()
	}
	if _, err := c.ExecContext(ctx, `PRAGMA mmap_size = 1073741824`); err != nil {
		done()
		return conn{}, func() {}, err
	}
	if _, err := c.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
		done()
		return conn{}, func() {}, err
	}
	return conn{db: db, q: c}, done, nil
}

// auditGap returns the first record of table with lo < id < hi, or nil.
func (db *DB) auditGap(ctx context.Context, table string, lo, hi int64) (*auditRecord, error) {
	q := `SELECT id, 0, 0 FROM audit_log WHERE id > ? AND id < ? ORDER BY id LIMIT 1`
	if table == "case_events" {
		q = `SELECT id, case_id, seq FROM case_events WHERE id > ? AND id < ? ORDER BY id LIMIT 1`
	}
	var rec auditRecord
	err := db.reader().queryRow(ctx, q, lo, hi).Scan(&rec.id, &rec.caseID, &rec.seq)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// verifyRange verifies the entries [rr.a, rr.b] from the stored hash of
// entry rr.a-1.
func (db *DB) verifyRange(ctx context.Context, r conn, rr *rangeResult, anchorSeq int64, inServer bool) error {
	fail := func(kind string, seq int64, src byte, ref int64, rec *auditRecord, detail string) {
		if rr.problem == nil || seq < rr.problem.Seq {
			rr.problem = &AuditProblem{Kind: kind, Seq: seq, Source: srcName(src), RefID: ref, Detail: detail}
			rr.rec = rec
		}
	}
	rows, err := r.query(ctx, `SELECT seq, source, ref_id, hash, alg FROM audit_chain WHERE seq >= ? AND seq <= ? ORDER BY seq`, rr.a-1, rr.b)
	if err != nil {
		return err
	}
	entries := make([]chainEntry, 0, rr.b-rr.a+1)
	var prev [32]byte
	next := rr.a - 1
	var seq, ref int64
	var source, hash, alg auditField
	for rows.Next() {
		if err := rows.Scan(&seq, &source, &ref, &hash, &alg); err != nil {
			rows.Close()
			return err
		}
		e := chainEntry{seq: seq, ref: ref, alg: gmcrypto.Hash(alg.b)}
		switch string(source.b) {
		case auditEvent:
			e.source = 'e'
		case auditAdmin:
			e.source = 'a'
		default:
			e.source = '?'
		}
		if len(hash.b) != 64 || !e.alg.Valid() {
			e.source = '?' // an altered hash or algorithm: it can match nothing
		} else if _, err := hex.Decode(e.hash[:], hash.b); err != nil {
			e.source = '?'
		}
		if seq == rr.a-1 {
			prev = e.hash // the boundary: checked as the last link of the range before
			next = rr.a
			continue
		}
		if next == rr.a-1 {
			next = rr.a // entry a-1 is missing (or a is 1): the range before reports it
		}
		if seq != next {
			rows.Close()
			if rr.problem == nil {
				fail("removed", next, 0, 0, nil, fmt.Sprintf("chain entries %d to %d are missing", next, seq-1))
			}
			break
		}
		next++
		entries = append(entries, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if rr.problem == nil && next <= rr.b {
		fail("removed", next, 0, 0, nil, fmt.Sprintf("chain entries %d to %d are missing", next, rr.b))
	}
	// Sources and refs.
	rr.srcs = make([]byte, len(entries))
	var bySrc [2][]int // indexes of entries, per source
	for i := range entries {
		e := &entries[i]
		rr.srcs[i] = e.source
		if e.source == '?' {
			fail("altered", e.seq, 0, e.ref, nil, "the chain entry itself was altered")
			continue
		}
		k := srcIndex(e.source)
		if l := len(bySrc[k]); l > 0 && e.ref <= entries[bySrc[k][l-1]].ref {
			fail("inserted", e.seq, e.source, e.ref, nil, "a chain entry names a record sealed before it")
			continue
		}
		if len(bySrc[k]) == 0 {
			rr.first[k], rr.firstSeq[k] = e.ref, e.seq
		}
		rr.last[k] = e.ref
		bySrc[k] = append(bySrc[k], i)
	}
	// The records each source's entries name, and those between them.
	for k, src := range [2]string{auditEvent, auditAdmin} {
		idx := bySrc[k]
		if len(idx) == 0 {
			continue
		}
		table, cols := `case_events e`, eventCols
		if src == auditAdmin {
			table, cols = `audit_log a`, adminCols
		}
		alias := table[len(table)-1:]
		// On PostgreSQL the server builds each record's canonical bytes and,
		// for a range all in SHA-256, their digests.
		serverDigest := false
		if inServer {
			serverDigest = true
			for _, i := range idx {
				serverDigest = serverDigest && entries[i].alg == gmcrypto.SHA256
			}
			canon := pgCanon(src)
			if serverDigest {
				canon = `sha256(` + canon + `)`
			}
			cols = alias + `.id, ` + canon
			if src == auditEvent {
				cols = `e.id, ` + canon + `, e.case_id, e.seq`
			}
		}
		rows, err := r.query(ctx, `SELECT `+cols+` FROM `+table+` WHERE `+alias+`.id >= ? AND `+alias+`.id <= ? ORDER BY `+alias+`.id`,
			entries[idx[0]].ref, entries[idx[len(idx)-1]].ref)
		if err != nil {
			return err
		}
		s := newAuditScanner(src, 0, "")
		j := 0
		b := [2]byte{'e', 'a'}[k]
		var pg struct {
			id, caseID, seq int64
			bytes           []byte
		}
		pgDest := []any{&pg.id, &pg.bytes}
		if src == auditEvent {
			pgDest = append(pgDest, &pg.caseID, &pg.seq)
		}
		for rows.Next() {
			var id int64
			if inServer {
				if err := rows.Scan(pgDest...); err != nil {
					rows.Close()
					return err
				}
				id = pg.id
				s.fields[0].b = strconv.AppendInt(s.fields[0].b[:0], pg.id, 10)
				s.fields[1].b = strconv.AppendInt(s.fields[1].b[:0], pg.caseID, 10)
				s.fields[2].b = strconv.AppendInt(s.fields[2].b[:0], pg.seq, 10)
			} else {
				if err := rows.Scan(s.dest...); err != nil {
					rows.Close()
					return err
				}
				id = s.fields[0].int()
			}
			for j < len(idx) && entries[idx[j]].ref < id {
				e := &entries[idx[j]]
				fail("removed", e.seq, b, e.ref, nil, "")
				j++
			}
			if j == len(idx) {
				break
			}
			e := &entries[idx[j]]
			if e.ref > id {
				rec := &auditRecord{id: id}
				if b == 'e' {
					rec.caseID, rec.seq = s.fields[1].int(), s.fields[2].int()
				}
				fail("inserted", e.seq, b, id, rec, "a record older than sealed ones was never sealed")
				continue
			}
			switch {
			case !inServer:
				s.canon()
				e.digest = e.alg.Sum(s.buf)
			case serverDigest:
				copy(e.digest[:], pg.bytes)
			default:
				e.digest = e.alg.Sum(pg.bytes)
			}
			j++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for ; j < len(idx); j++ {
			e := &entries[idx[j]]
			fail("removed", e.seq, b, e.ref, nil, "")
		}
	}
	// The links, up to the first problem.
	stop := rr.b + 1
	if rr.problem != nil {
		stop = rr.problem.Seq
	}
	for i := range entries {
		e := &entries[i]
		if e.seq >= stop {
			break
		}
		h := chainLink(e.alg, prev, e.digest)
		if h != e.hash {
			rec := &auditRecord{id: e.ref}
			fail("altered", e.seq, e.source, e.ref, rec, "")
			if e.source == 'e' {
				_ = r.queryRow(ctx, `SELECT case_id, seq FROM case_events WHERE id = ?`, e.ref).Scan(&rec.caseID, &rec.seq)
			}
			break
		}
		prev = h
		if e.seq == anchorSeq {
			rr.hashAt = map[int64]string{e.seq: hex.EncodeToString(h[:])}
		}
		if l := len(rr.algs); l > 0 && rr.algs[l-1].Alg == string(e.alg) {
			rr.algs[l-1].To = e.seq
		} else {
			rr.algs = append(rr.algs, AlgSpan{Alg: string(e.alg), From: e.seq, To: e.seq})
		}
	}
	rr.lastHash = prev
	return nil
}

// pgCanon is the SQL expression of a record's canonical bytes on
// PostgreSQL (migration 0085's functions): the same bytes as
// auditScanner.canon, with times in UTC as timeLayout writes them.
func pgCanon(source string) string {
	f := func(col string) string { return `jiedao_audit_field(` + col + `)` }
	t := func(col string) string {
		return f(`to_char(` + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`)
	}
	if source == auditAdmin {
		return `'jiedao.audit.v1/admin'::bytea || '\x00'::bytea || ` + f(`a.id::text`) + ` || ` + t(`a.at`) + ` || ` + f(`a.actor_kind`) + ` || ` +
			f(`a.actor_id::text`) + ` || ` + f(`a.actor_name`) + ` || ` + f(`a.actor_role`) + ` || ` + f(`a.action`) + ` || ` + f(`a.target_kind`) + ` || ` +
			f(`a.target_id`) + ` || ` + f(`a.before_json`) + ` || ` + f(`a.after_json`) + ` || ` + f(`a.reason`)
	}
	return `'jiedao.audit.v1/event'::bytea || '\x00'::bytea || ` + f(`e.id::text`) + ` || ` + f(`e.case_id::text`) + ` || ` + f(`e.seq::text`) + ` || ` +
		f(`e.action`) + ` || ` + f(`e.actor_kind`) + ` || ` + f(`e.actor_id::text`) + ` || ` + f(`e.actor_name`) + ` || ` + f(`e.actor_role`) + ` || ` +
		t(`e.at`) + ` || ` + f(`e.from_status`) + ` || ` + f(`e.to_status`) + ` || ` + f(`e.reason`) + ` || ` + f(`e.payload`)
}

// checkpointMAC is the MAC (or, keyless, the hash) of a checkpoint.
func (db *DB) checkpointMAC(cp *AuditCheckpoint) string {
	msg := "jiedao.audit.checkpoint.v1|" + strconv.FormatInt(cp.Seq, 10) + "|" + cp.Hash + "|" +
		strconv.FormatInt(cp.EventID, 10) + "|" + strconv.FormatInt(cp.AdminID, 10) + "|" +
		strconv.FormatInt(cp.VerifiedAt.Unix(), 10) + "|" + strconv.FormatInt(cp.FromSeq, 10) + "|" + cp.Alg + "|" + cp.KeyID
	h := gmcrypto.Hash(cp.Alg)
	if !h.Valid() {
		return ""
	}
	if cp.KeyID == "" {
		d := h.Sum([]byte(msg))
		return hex.EncodeToString(d[:])
	}
	if db.crypto.keys == nil {
		return ""
	}
	key := db.crypto.keys.DeriveFrom(h, cp.KeyID, "audit-checkpoint")
	if key == nil {
		return ""
	}
	m := h.MAC(key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// latestCheckpoint is the latest checkpoint whose MAC holds: keyed by a key
// of the ring when there is one (an unkeyed checkpoint is then ignored,
// since anyone who can write the database could have made it), unkeyed
// otherwise.
func (db *DB) latestCheckpoint(ctx context.Context) (*AuditCheckpoint, error) {
	rows, err := db.reader().query(ctx, `SELECT id, seq, hash, event_id, admin_id, verified_at, from_seq, alg, key_id, mac
		FROM audit_checkpoints ORDER BY id DESC LIMIT 20`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		cp := &AuditCheckpoint{}
		var at nullTime
		var mac string
		if err := rows.Scan(&cp.ID, &cp.Seq, &cp.Hash, &cp.EventID, &cp.AdminID, &at, &cp.FromSeq, &cp.Alg, &cp.KeyID, &mac); err != nil {
			return nil, err
		}
		if at.ptr() == nil {
			continue
		}
		cp.VerifiedAt = *at.ptr()
		if (cp.KeyID == "") != (db.crypto.keys == nil) {
			continue
		}
		if want := db.checkpointMAC(cp); want != "" && want == mac {
			return cp, nil
		}
	}
	return nil, rows.Err()
}

// storeCheckpoint stores the head just verified as a checkpoint.
func (db *DB) storeCheckpoint(ctx context.Context, head AuditHead, last [2]int64, from int64, results []*rangeResult) (*AuditCheckpoint, error) {
	alg := string(db.CryptoSuite().Hash)
	if l := len(results); l > 0 {
		if a := results[l-1].algs; len(a) > 0 {
			alg = a[len(a)-1].Alg
		}
	}
	cp := &AuditCheckpoint{Seq: head.Seq, Hash: head.Hash, EventID: last[0], AdminID: last[1],
		VerifiedAt: time.Now().UTC().Truncate(time.Second), FromSeq: from, Alg: alg}
	if db.crypto.keys != nil {
		cp.KeyID = db.crypto.keys.Current()
	}
	id, err := db.writer().insert(ctx, `INSERT INTO audit_checkpoints (seq, hash, event_id, admin_id, verified_at, from_seq, alg, key_id, mac)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, cp.Seq, cp.Hash, cp.EventID, cp.AdminID, cp.VerifiedAt, cp.FromSeq, cp.Alg, cp.KeyID, db.checkpointMAC(cp))
	cp.ID = id
	return cp, err
}

// AuditCheckpoints lists the latest checkpoints, newest first.
func (db *DB) AuditCheckpoints(ctx context.Context, limit int) ([]AuditCheckpoint, error) {
	rows, err := db.reader().query(ctx, `SELECT id, seq, hash, event_id, admin_id, verified_at, from_seq, alg, key_id FROM audit_checkpoints ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditCheckpoint
	for rows.Next() {
		var cp AuditCheckpoint
		var at nullTime
		if err := rows.Scan(&cp.ID, &cp.Seq, &cp.Hash, &cp.EventID, &cp.AdminID, &at, &cp.FromSeq, &cp.Alg, &cp.KeyID); err != nil {
			return nil, err
		}
		if p := at.ptr(); p != nil {
			cp.VerifiedAt = *p
		}
		out = append(out, cp)
	}
	return out, rows.Err()
}
