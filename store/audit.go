package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/gmcrypto"
	"github.com/jiedao/jiedao/org"
)

// The audit trail (docs/audit.md). Case events and the rows of audit_log
// (administrative actions, reveals of masked contacts) are chained by
// hashes in audit_chain: entry n holds
//
//	hash(n) = H( hash(n-1) || H(canonical bytes of the record) )
//
// with hash(0) 32 zero bytes and H the entry's algorithm (audit_chain.alg):
// SHA-256, or SM3 under the commercial-cryptography suite (JIEDAO_CRYPTO=gm,
// internal/gmcrypto). When the suite changes, the sealer first writes an
// audit.algorithm record to audit_log, and entries sealed from then on use
// the new algorithm; verification follows each entry's. Writers never touch the chain: the sealer
// (SealAudit) appends what was committed since it last ran, so that intake
// is not serialised on a chain head. Verification (VerifyAudit) streams
// the chain and both sources in id order, merging them, and recomputes
// every hash.

// AuditLog is the store of the audit_log table; it implements org.Auditor.
type AuditLog struct{ db *DB }

// Audit returns the audit log of db.
func (db *DB) Audit() *AuditLog { return &AuditLog{db: db} }

var _ org.Auditor = (*AuditLog)(nil)

// Atomic runs a change and its audit entry in one transaction (DB.Atomic).
func (l *AuditLog) Atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	return l.db.Atomic(ctx, fn)
}

// Record appends an entry to audit_log; its ID is set.
func (l *AuditLog) Record(ctx context.Context, e org.AuditEntry) error {
	before, err := auditJSON(e.Before)
	if err != nil {
		return err
	}
	after, err := auditJSON(e.After)
	if err != nil {
		return err
	}
	at := e.At
	if at.IsZero() {
		at = time.Now()
	}
	id, err := l.db.writer().insert(ctx, `INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, actor_role, action, target_kind, target_id, before_json, after_json, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		at, string(e.Actor.Kind), nullID(e.Actor.ID), e.Actor.Name, string(e.Actor.Role), e.Action, e.TargetKind, e.TargetID, before, after, e.Reason)
	e.ID = id
	return err
}

func auditJSON(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return string(raw), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if string(b) == "null" {
		return nil, nil
	}
	return string(b), nil
}

// Source names of audit_chain rows.
const (
	auditEvent = "event" // case_events.id
	auditAdmin = "admin" // audit_log.id
)

// The hashed columns of each source, in the order they are hashed. Every
// column of the row is there: changing any of them changes the hash.
const (
	eventCols = `e.id, e.case_id, e.seq, e.action, e.actor_kind, e.actor_id, e.actor_name, e.actor_role, e.at, e.from_status, e.to_status, e.reason, e.payload`
	adminCols = `a.id, a.at, a.actor_kind, a.actor_id, a.actor_name, a.actor_role, a.action, a.target_kind, a.target_id, a.before_json, a.after_json, a.reason`
	nEventCol = 13
	nAdminCol = 12
)

// auditField scans one column of either engine into its canonical bytes:
// text as stored, integers in decimal, times in timeLayout (UTC, fixed
// width), whichever way the engine returns them. NULL is kept apart from
// the empty string.
type auditField struct {
	b    []byte
	null bool
}

func (f *auditField) Scan(v any) error {
	f.null = false
	f.b = f.b[:0]
	switch x := v.(type) {
	case nil:
		f.null = true
	case string:
		f.b = append(f.b, x...)
	case []byte:
		f.b = append(f.b, x...)
	case int64:
		f.b = strconv.AppendInt(f.b, x, 10)
	case float64:
		f.b = strconv.AppendFloat(f.b, x, 'g', -1, 64)
	case bool:
		f.b = strconv.AppendBool(f.b, x)
	case time.Time:
		f.b = x.UTC().AppendFormat(f.b, timeLayout)
	default:
		return fmt.Errorf("store: audit: cannot scan %T", v)
	}
	return nil
}

// canonTime rewrites a time stored as text into timeLayout, unless it is
// in that form already (as jiedao writes it on SQLite).
func (f *auditField) canonTime() {
	if f.null || (len(f.b) == len(timeLayout) && f.b[10] == 'T' && f.b[len(f.b)-1] == 'Z') {
		return
	}
	if t, err := time.Parse(time.RFC3339Nano, string(f.b)); err == nil {
		f.b = t.UTC().AppendFormat(f.b[:0], timeLayout)
	}
}

func (f *auditField) int() int64 {
	var n int64
	neg := false
	for i, c := range f.b {
		if i == 0 && c == '-' {
			neg = true
			continue
		}
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

// auditScanner reads rows of one source and computes their digests.
type auditScanner struct {
	source string
	fields []auditField
	extra  []auditField // columns read but not hashed (the case number)
	dest   []any
	timeAt int // index of the time column
	buf    []byte
	hash   gmcrypto.Hash // the digest's algorithm (sealing)
}

func newAuditScanner(source string, extra int, h gmcrypto.Hash) *auditScanner {
	s := &auditScanner{source: source, hash: h}
	n, at := nEventCol, 8
	if source == auditAdmin {
		n, at = nAdminCol, 1
	}
	s.fields, s.extra, s.timeAt = make([]auditField, n), make([]auditField, extra), at
	for i := range s.fields {
		s.dest = append(s.dest, &s.fields[i])
	}
	for i := range s.extra {
		s.dest = append(s.dest, &s.extra[i])
	}
	return s
}

// auditRecord is one record of a source as read: its id, digest, and for
// events the case and seq, to name it.
type auditRecord struct {
	id     int64
	digest [32]byte
	caseID int64
	seq    int64
}

func (s *auditScanner) scan(rows *sql.Rows) (auditRecord, error) {
	if err := rows.Scan(s.dest...); err != nil {
		return auditRecord{}, err
	}
	s.canon()
	r := auditRecord{id: s.fields[0].int(), digest: s.hash.Sum(s.buf)}
	if s.source == auditEvent {
		r.caseID, r.seq = s.fields[1].int(), s.fields[2].int()
	}
	return r, nil
}

// canon puts the canonical bytes of the row scanned into s.buf.
func (s *auditScanner) canon() {
	s.fields[s.timeAt].canonTime()
	b := append(s.buf[:0], "jiedao.audit.v1/"...)
	b = append(b, s.source...)
	b = append(b, 0)
	for i := range s.fields {
		f := &s.fields[i]
		if f.null {
			b = append(b, 0)
			continue
		}
		b = binary.AppendUvarint(b, uint64(len(f.b))+1)
		b = append(b, f.b...)
	}
	s.buf = b
}

// label names a record as it is sealed.
func (s *auditScanner) label() string {
	if s.source == auditEvent {
		return fmt.Sprintf("%s #%s", s.extra[0].b, s.fields[2].b)
	}
	return fmt.Sprintf("%s %s:%s", s.fields[6].b, s.fields[7].b, s.fields[8].b)
}

// chainLink is hash(n) from hash(n-1) and the record's digest, with the
// entry's algorithm.
func chainLink(h gmcrypto.Hash, prev, digest [32]byte) [32]byte {
	var b [64]byte
	copy(b[:32], prev[:])
	copy(b[32:], digest[:])
	return h.Sum(b[:])
}

// AuditHead is the last sealed entry of the chain.
type AuditHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"` // hex; empty for an empty chain
}

// String is the head as an operator writes it down: SEQ:HASH.
func (h AuditHead) String() string { return fmt.Sprintf("%d:%s", h.Seq, h.Hash) }

// ParseAuditHead reads SEQ:HASH.
func ParseAuditHead(s string) (AuditHead, error) {
	seq, hash, ok := strings.Cut(strings.TrimSpace(s), ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if _, herr := hex.DecodeString(hash); !ok || err != nil || n <= 0 || len(hash) != 64 || herr != nil {
		return AuditHead{}, jiedao.Invalid("anchor", "锚点格式应为 序号:哈希（jiedao audit head 的输出）", "the anchor must be SEQ:HASH as jiedao audit head prints it")
	}
	return AuditHead{Seq: n, Hash: strings.ToLower(hash)}, nil
}

// AuditHead returns the head of the chain, to be written down or sent
// elsewhere (docs/audit.md: anchoring).
func (db *DB) AuditHead(ctx context.Context) (AuditHead, error) {
	var h AuditHead
	err := db.reader().queryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&h.Seq, &h.Hash)
	return h, mapError(err)
}

// SealBusy is the error of a sealer that waited too long for the
// transactions in flight to end: nothing was sealed, try again later.
var SealBusy = &jiedao.Error{Code: jiedao.EUNAVAILABLE, Zh: "有长时间未结束的写事务，本轮暂不封存", En: "a write transaction is still running: sealing postponed"}

// sealWait bounds how long a sealer waits for the writers in flight.
const sealWait = 10 * time.Second

// SealAudit appends to the chain up to max records (5,000 when max <= 0)
// committed since the last seal, admin entries first, and returns how many.
// Several sealers may run at once, in one process or several: the head row
// is locked, so they take turns and never fork the chain.
//
// A record is sealed only once no record of a lower id can still appear:
// on SQLite the sealer's transaction excludes every writer; on PostgreSQL,
// where ids are taken before commit, the sealer first waits for the
// transactions that were writing the sources when it read their highest
// ids (see auditHorizon). So an unsealed record below the sealed frontier
// can only have been put there behind jiedao's back, and verify says so.
func (db *DB) SealAudit(ctx context.Context, max int) (int, error) {
	if max <= 0 {
		max = 5000
	}
	if err := db.markAlgorithm(ctx); err != nil {
		return 0, err
	}
	var hEvent, hAdmin int64 = -1, -1
	if db.engine == Postgres {
		var err error
		if hEvent, hAdmin, err = db.auditHorizon(ctx); err != nil {
			return 0, err
		}
	}
	n := 0
	err := db.inTx(ctx, func(tx conn) error {
		n = 0
		var seq, evFront, adFront int64
		var hexHash, headAlg string
		if err := tx.queryRow(ctx, `SELECT seq, hash, event_id, admin_id, alg FROM audit_head WHERE id = 1`+db.forUpdate()).
			Scan(&seq, &hexHash, &evFront, &adFront, &headAlg); err != nil {
			return mapError(err)
		}
		alg := gmcrypto.Hash(headAlg) // markAlgorithm set it
		if !alg.Valid() {
			return fmt.Errorf("store: audit head algorithm %q", headAlg)
		}
		if hEvent < 0 {
			// SQLite: this transaction holds the write lock; everything
			// committed is all there is.
			if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM case_events`).Scan(&hEvent); err != nil {
				return err
			}
			if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&hAdmin); err != nil {
				return err
			}
		}
		var prev [32]byte
		if hexHash != "" {
			if _, err := hex.Decode(prev[:], []byte(hexHash)); err != nil {
				return fmt.Errorf("store: audit head hash %q: %w", hexHash, err)
			}
		}
		type link struct {
			source string
			ref    int64
			hash   string
			label  string
		}
		var links []link
		read := func(source, query string, from, to int64, limit int, extra int) (int64, error) {
			rows, err := tx.query(ctx, query, from, to, limit)
			if err != nil {
				return from, err
			}
			defer rows.Close()
			s := newAuditScanner(source, extra, alg)
			for rows.Next() {
				r, err := s.scan(rows)
				if err != nil {
					return from, err
				}
				prev = chainLink(alg, prev, r.digest)
				links = append(links, link{source, r.id, hex.EncodeToString(prev[:]), s.label()})
				from = r.id
			}
			return from, rows.Err()
		}
		var err error
		if adFront, err = read(auditAdmin, `SELECT `+adminCols+` FROM audit_log a WHERE a.id > ? AND a.id <= ? ORDER BY a.id LIMIT ?`,
			adFront, hAdmin, max, 0); err != nil {
			return err
		}
		if left := max - len(links); left > 0 {
			if evFront, err = read(auditEvent, `SELECT `+eventCols+`, COALESCE(c.number, '') FROM case_events e LEFT JOIN cases c ON c.id = e.case_id
				WHERE e.id > ? AND e.id <= ? ORDER BY e.id LIMIT ?`, evFront, hEvent, left, 1); err != nil {
				return err
			}
		}
		if len(links) == 0 {
			return nil
		}
		// Multi-row inserts, run unprepared: their varying shapes must not
		// fill the statement cache.
		now := db.timeArg(time.Now())
		const per = 500
		for i := 0; i < len(links); i += per {
			j := min(i+per, len(links))
			var q strings.Builder
			q.WriteString(`INSERT INTO audit_chain (seq, source, ref_id, hash, label, sealed_at, alg) VALUES `)
			args := make([]any, 0, (j-i)*7)
			for k := i; k < j; k++ {
				if k > i {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?, ?, ?)")
				l := links[k]
				args = append(args, seq+int64(k)+1, l.source, l.ref, l.hash, l.label, now, string(alg))
			}
			if _, err := tx.q.ExecContext(ctx, db.rebind(q.String()), args...); err != nil {
				return mapError(err)
			}
		}
		seq += int64(len(links))
		if _, err := tx.exec(ctx, `UPDATE audit_head SET seq = ?, hash = ?, event_id = ?, admin_id = ? WHERE id = 1`,
			seq, links[len(links)-1].hash, evFront, adFront); err != nil {
			return err
		}
		n = len(links)
		return nil
	})
	return n, err
}

// markAlgorithm switches the chain to the suite's hash when it differs
// from the head's: the marked point is an audit.algorithm record, written
// with the head's change in one transaction, before the sealing that uses
// the new hash (so it is the first record sealed with it, unless older
// records were waiting). On an empty chain there is nothing to mark.
func (db *DB) markAlgorithm(ctx context.Context) error {
	alg := db.CryptoSuite().Hash
	var headAlg string
	if err := db.reader().queryRow(ctx, `SELECT alg FROM audit_head WHERE id = 1`).Scan(&headAlg); err != nil {
		return mapError(err)
	}
	if headAlg == string(alg) {
		return nil
	}
	return db.inTx(ctx, func(tx conn) error {
		var seq int64
		if err := tx.queryRow(ctx, `SELECT seq, alg FROM audit_head WHERE id = 1`+db.forUpdate()).Scan(&seq, &headAlg); err != nil {
			return mapError(err)
		}
		if headAlg == string(alg) {
			return nil // another sealer did it
		}
		if seq > 0 {
			if _, err := tx.exec(ctx, `INSERT INTO audit_log (at, actor_kind, actor_name, action, target_kind, target_id, before_json, after_json, reason)
				VALUES (?, 'system', 'jiedao', 'audit.algorithm', 'audit_chain', ?, ?, ?, ?)`,
				time.Now(), strconv.FormatInt(seq, 10), `{"alg":"`+headAlg+`"}`, `{"alg":"`+string(alg)+`"}`,
				"审计链哈希算法变更 / audit chain hash algorithm changed"); err != nil {
				return err
			}
		}
		_, err := tx.exec(ctx, `UPDATE audit_head SET alg = ? WHERE id = 1`, string(alg))
		return err
	})
}

// auditHorizon returns, on PostgreSQL, the highest ids of case_events and
// audit_log below which no row can still be committed. Ids come from a
// sequence before commit, so a transaction may commit id 5 after another
// committed id 6. The horizon is read first; then the transactions that
// hold a write lock on either table are listed and waited for. A
// transaction holding an id up to the horizon took its id, and so its
// lock, before the horizon was read: if it is still running it is in the
// list. Nothing is locked: writers never wait for the sealer.
func (db *DB) auditHorizon(ctx context.Context) (hEvent, hAdmin int64, err error) {
	r := db.reader()
	if err := r.queryRow(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM case_events), (SELECT COALESCE(MAX(id), 0) FROM audit_log)`).Scan(&hEvent, &hAdmin); err != nil {
		return 0, 0, err
	}
	var vxids []string
	rows, err := r.query(ctx, `SELECT DISTINCT virtualtransaction FROM pg_locks
		WHERE locktype = 'relation' AND relation IN ('case_events'::regclass, 'audit_log'::regclass)
		  AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()`)
	if err != nil {
		return 0, 0, err
	}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return 0, 0, err
		}
		vxids = append(vxids, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	deadline := time.Now().Add(sealWait)
	for len(vxids) > 0 {
		// A transaction holds the lock on its own virtual id until it ends.
		var running int
		if err := r.queryRow(ctx, `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'virtualxid' AND virtualxid = ANY(?)`, vxids).Scan(&running); err != nil {
			return 0, 0, err
		}
		if running == 0 {
			break
		}
		if time.Now().After(deadline) {
			return 0, 0, SealBusy
		}
		select {
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return hEvent, hAdmin, nil
}

// AuditProblem is the first record verification found wrong.
type AuditProblem struct {
	// Kind is altered (the record or its chain entry no longer matches its
	// hash), removed (the record or a chain entry is gone), inserted (a
	// record older than the sealed frontier that was never sealed), or
	// anchor (the chain disagrees with a head written down before).
	Kind   string `json:"kind"`
	Seq    int64  `json:"seq"`    // the chain entry where it was found
	Source string `json:"source"` // event or admin
	RefID  int64  `json:"ref_id"` // case_events.id or audit_log.id
	// Name names the record: case number and event seq, or the admin
	// action's id and what it was.
	Name   string `json:"name"`
	Detail string `json:"detail,omitempty"`
}

// KindZh is the problem's kind in Chinese.
func (p *AuditProblem) KindZh() string {
	switch p.Kind {
	case "altered":
		return "被篡改"
	case "removed":
		return "被删除"
	case "inserted":
		return "被插入"
	case "anchor":
		return "与锚点不符"
	}
	return p.Kind
}

// AuditReport is what VerifyAudit found.
type AuditReport struct {
	Verified int64         `json:"verified"` // chain entries whose record matched
	Events   int64         `json:"events"`
	Admin    int64         `json:"admin"`
	Unsealed int64         `json:"unsealed"` // records after the frontier, not sealed yet
	Head     AuditHead     `json:"head"`     // the last entry verified
	Took     time.Duration `json:"took"`
	Problem  *AuditProblem `json:"problem,omitempty"`
	// From is the first entry verified: 1, or the entry after the
	// checkpoint an incremental verification started from (Checkpoint).
	From       int64            `json:"from"`
	Checkpoint *AuditCheckpoint `json:"checkpoint,omitempty"`
	// Stored is the checkpoint this verification stored, if any.
	Stored *AuditCheckpoint `json:"stored,omitempty"`
	// Algorithms are the hashes of the entries verified, run by run: more
	// than one where the suite changed (an audit.algorithm record).
	Algorithms []AlgSpan `json:"algorithms,omitempty"`
}

// auditName names a problem's record for the operator: the case number
// and event seq, or the admin action; as it is now when it is there, and
// as it was sealed.
func (db *DB) auditName(ctx context.Context, p *AuditProblem, rec *auditRecord) string {
	var sealed string
	if p.Kind != "inserted" && p.Seq > 0 {
		_ = db.reader().queryRow(ctx, `SELECT label FROM audit_chain WHERE seq = ?`, p.Seq).Scan(&sealed)
	}
	var now string
	switch {
	case rec != nil && p.Source == auditEvent:
		var number sql.NullString
		_ = db.reader().queryRow(ctx, `SELECT number FROM cases WHERE id = ?`, rec.caseID).Scan(&number)
		now = fmt.Sprintf("案件 / case %s 事件 / event #%d (event id %d)", number.String, rec.seq, rec.id)
	case rec != nil && p.Source == auditAdmin:
		var action, kind, target string
		_ = db.reader().queryRow(ctx, `SELECT action, target_kind, target_id FROM audit_log WHERE id = ?`, rec.id).Scan(&action, &kind, &target)
		now = fmt.Sprintf("管理操作 / admin action %d (%s %s:%s)", rec.id, action, kind, target)
	case p.Source == auditEvent:
		now = fmt.Sprintf("案件事件 / case event id %d", p.RefID)
	case p.Source == auditAdmin:
		now = fmt.Sprintf("管理操作 / admin action %d", p.RefID)
	}
	switch {
	case now == "" && sealed == "":
		return fmt.Sprintf("审计链条目 / chain entry %d", p.Seq)
	case sealed == "":
		return now
	case now == "":
		return fmt.Sprintf("%s, 封存时为 / sealed as %s", auditSourceName(p.Source, p.RefID), sealed)
	}
	return fmt.Sprintf("%s, 封存时为 / sealed as %s", now, sealed)
}

func auditSourceName(source string, ref int64) string {
	if source == auditAdmin {
		return fmt.Sprintf("管理操作 / admin action %d", ref)
	}
	return fmt.Sprintf("案件事件 / case event id %d", ref)
}
