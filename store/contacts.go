package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"time"

	"github.com/jiedao/jiedao/casework"
)

// Residents' contacts live in case_contacts, apart from the case events
// (sealed into the audit chain) and the projection (cases.data), so that
// the retention job can erase them and leave the chain intact: the report
// event's stored payload holds only the contact's digest
// (casework.ContactDigest), keyed by a random salt kept here and erased
// with the contact. Every read of a case or of its events puts the contact
// back from here.

// contactSaltSize is the length of a case's salt: 128 bits, far beyond
// trying every salt for a phone number.
const contactSaltSize = 16

// contactInsert stores the contacts of new cases, with contactColumns a row.
const contactInsert = `INSERT INTO case_contacts (case_id, name, phone, salt) VALUES `
const contactColumns = 4

var _ casework.ContactStore = (*Cases)(nil)

// takeContact takes the reporter's contact out of a new case's report
// event: it draws the case's salt and sets the payload's digest (the
// stored payload leaves the contact out, see casework.MarshalPayload). It
// returns the case_contacts row to store with the event, or nil for a
// case reported without a contact (a sensor's alarm, a grid worker's
// patrol): it has nothing to keep or erase, and reads back empty.
//
// With the commercial-cryptography suite (JIEDAO_CRYPTO=gm) the digest is
// HMAC-SM3, written "sm3:HEX" so that it says its algorithm; with an SM4
// keyring the name and the phone number are stored sealed (crypto.go).
func (db *DB) takeContact(caseID int64, e *casework.Event) []any {
	r := e.Payload.Report.Reporter
	if r.Name == "" && r.Phone == "" {
		return nil
	}
	salt := make([]byte, contactSaltSize)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	e.Payload.ReporterDigest = db.contactDigest(salt, r)
	name, phone := db.sealContact(caseID, r.Name, r.Phone)
	return []any{caseID, name, phone, salt}
}

// insertContact stores the contact of a new case, whose report event is e.
func (db *DB) insertContact(ctx context.Context, tx conn, caseID int64, e *casework.Event) error {
	row := db.takeContact(caseID, e)
	if row == nil {
		return nil
	}
	_, err := tx.exec(ctx, contactInsert+"(?, ?, ?, ?)", row...)
	return err
}

// caseSelect reads cases as scanCase wants them: the projection and the
// reporter's contact (a LEFT JOIN: a case reported without a contact has
// no row).
const caseSelect = `SELECT c.data, cc.name, cc.phone, cc.anonymised_at, c.jurisdiction_id FROM cases c LEFT JOIN case_contacts cc ON cc.case_id = c.id`

// contactOf is the contact of case caseID read from case_contacts,
// opened if it is sealed; all NULL (no row) is no contact.
func (db *DB) contactOf(caseID int64, name, phone sql.NullString, anonymised nullTime) (casework.Contact, error) {
	n, p, err := db.openContact(caseID, name.String, phone.String)
	return casework.Contact{Name: n, Phone: p, AnonymisedAt: anonymised.ptr()}, err
}

// projection is the case as cases.data keeps it: without the contact.
func projection(c *casework.Case) *casework.Case {
	if c.Reporter == (casework.Contact{}) {
		return c
	}
	v := *c
	v.Reporter = casework.Contact{}
	return &v
}

// reportContact puts the contact back into the report event among events,
// as case_contacts has it now: events stored before migration 0008 hold a
// copy in their payload, which the stored contact overrides, so that a
// replay gives the case as GetCase does, anonymised or not.
func (s *Cases) reportContact(ctx context.Context, caseID int64, events []*casework.Event) error {
	for _, e := range events {
		if e.Payload.Report == nil {
			continue
		}
		var name, phone sql.NullString
		var anonymised nullTime
		err := s.db.reader().queryRow(ctx, `SELECT name, phone, anonymised_at FROM case_contacts WHERE case_id = ?`, caseID).
			Scan(&name, &phone, &anonymised)
		if err != nil && err != sql.ErrNoRows {
			return mapError(err)
		}
		if e.Payload.Report.Reporter, err = s.db.contactOf(caseID, name, phone, anonymised); err != nil {
			return err
		}
	}
	return nil
}

// retentionWhere selects the contacts a retention query is about, and
// returns the arguments: the query's statuses, then its cutoff.
func retentionWhere(q casework.RetentionQuery) (string, []any) {
	args := make([]any, 0, len(q.Statuses)+1)
	for _, st := range q.Statuses {
		args = append(args, string(st))
	}
	args = append(args, q.EndedBefore)
	return ` FROM cases c JOIN case_contacts cc ON cc.case_id = c.id
		WHERE cc.anonymised_at IS NULL AND c.status IN (` + placeholders(len(q.Statuses)) + `)
		AND (CASE WHEN c.status = 'closed' THEN c.closed_at ELSE c.updated_at END) < ?`, args
}

// CountContactsDue counts the contacts the retention query selects.
func (s *Cases) CountContactsDue(ctx context.Context, q casework.RetentionQuery) (casework.RetentionCounts, error) {
	var n casework.RetentionCounts
	w, args := retentionWhere(q)
	err := s.db.reader().queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN cc.sealed_copy THEN 1 ELSE 0 END), 0)`+w, args...).
		Scan(&n.Anonymised, &n.SealedCopies)
	return n, mapError(err)
}

// AnonymiseContacts erases up to limit contacts the retention query
// selects. On PostgreSQL the cases are locked as they are chosen (FOR
// UPDATE OF c), so that a case reopened meanwhile is seen reopened and
// left alone; a contact another process erased meanwhile is no longer
// "anonymised_at IS NULL" when the UPDATE reaches it, so each contact is
// erased and counted once. On SQLite the write transaction excludes every
// other writer.
func (s *Cases) AnonymiseContacts(ctx context.Context, q casework.RetentionQuery, at time.Time, limit int) (casework.RetentionCounts, error) {
	var n casework.RetentionCounts
	w, args := retentionWhere(q)
	err := s.db.inTx(ctx, func(tx conn) error {
		rows, err := tx.query(ctx, `UPDATE case_contacts SET name = '', phone = '', salt = NULL, anonymised_at = ?
			WHERE anonymised_at IS NULL AND case_id IN (SELECT c.id`+w+` LIMIT ?`+s.db.forUpdateOf("c")+`)
			RETURNING sealed_copy`, append(append([]any{at}, args...), limit)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sealed bool
			if err := rows.Scan(&sealed); err != nil {
				return err
			}
			n.Anonymised++
			if sealed {
				n.SealedCopies++
			}
		}
		return rows.Err()
	})
	if err != nil {
		return casework.RetentionCounts{}, err
	}
	return n, nil
}
