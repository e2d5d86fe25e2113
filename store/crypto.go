package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/gmcrypto"
)

// The algorithm suite (internal/gmcrypto, docs/dengbao.md 密评): which hash
// seals the audit chain and keys the contact digests, and the SM4 keyring
// that, when configured, seals residents' contacts (case_contacts.name and
// .phone) and machine clients' signing secrets (intake_secrets.secret) at
// rest. Values from before encryption was enabled are read as they are
// until EncryptAtRest seals them.

type cryptoConfig struct {
	suite gmcrypto.Suite
	keys  *gmcrypto.Keyring
}

// SetCrypto sets the suite and the keyring (nil: store in plaintext), before
// the database is used. The zero suite is gmcrypto.Default.
func (db *DB) SetCrypto(s gmcrypto.Suite, keys *gmcrypto.Keyring) {
	if !s.Hash.Valid() {
		s = gmcrypto.Default
	}
	db.crypto = cryptoConfig{suite: s, keys: keys}
}

// CryptoSuite is the suite set.
func (db *DB) CryptoSuite() gmcrypto.Suite {
	if !db.crypto.suite.Hash.Valid() {
		return gmcrypto.Default
	}
	return db.crypto.suite
}

// Keyring is the SM4 keyring set, or nil.
func (db *DB) Keyring() *gmcrypto.Keyring { return db.crypto.keys }

// contactDigest is the report event's digest of the contact: HMAC-SHA256
// as casework.ContactDigest, or "sm3:" and the hex HMAC-SM3 of the same
// bytes under the commercial suite.
func (db *DB) contactDigest(salt []byte, c casework.Contact) string {
	if h := db.CryptoSuite().Hash; h == gmcrypto.SM3 {
		m := h.MAC(salt)
		m.Write([]byte(c.Name))
		m.Write([]byte{0})
		m.Write([]byte(c.Phone))
		return "sm3:" + hex.EncodeToString(m.Sum(nil))
	}
	return casework.ContactDigest(salt, c)
}

// The additional data binding a sealed value to its row and column.
func contactAD(caseID int64, col string) string {
	return "case_contacts." + col + ":" + strconv.FormatInt(caseID, 10)
}

func secretAD(clientID int64) string {
	return "intake_secrets.secret:" + strconv.FormatInt(clientID, 10)
}

// seal seals v for ad with the keyring, or returns it when there is no
// keyring; the empty string (an erased contact) stays empty.
func (db *DB) seal(v, ad string) string {
	if db.crypto.keys == nil || v == "" {
		return v
	}
	return db.crypto.keys.Seal(v, ad)
}

func (db *DB) open(v, ad string) (string, error) {
	if _, sealed := gmcrypto.Sealed(v); !sealed {
		return v, nil
	}
	out, err := db.crypto.keys.Open(v, ad)
	if err != nil {
		return "", fmt.Errorf("store: %s: %w", ad, err)
	}
	return out, nil
}

func (db *DB) sealContact(caseID int64, name, phone string) (string, string) {
	return db.seal(name, contactAD(caseID, "name")), db.seal(phone, contactAD(caseID, "phone"))
}

func (db *DB) openContact(caseID int64, name, phone string) (string, string, error) {
	n, err := db.open(name, contactAD(caseID, "name"))
	if err != nil {
		return "", "", err
	}
	p, err := db.open(phone, contactAD(caseID, "phone"))
	return n, p, err
}

// EncryptCounts is what EncryptAtRest did.
type EncryptCounts struct {
	Contacts int64 `json:"contacts"` // case_contacts rows sealed or re-sealed
	Secrets  int64 `json:"secrets"`  // intake_secrets rows sealed or re-sealed
}

// EncryptAtRest seals, under the keyring's current key, every contact and
// signing secret stored in plaintext or sealed with an older key: the
// migration when encryption is enabled, and the second half of a key
// rotation. It works in batches of batch rows (1,000 when <= 0), each its
// own transaction, so an interrupted run loses nothing and the next run
// continues (a row is chosen by what it holds, not by a mark). A row
// changed meanwhile (a contact erased by retention) is left as it now is:
// each UPDATE names the values it read.
func (db *DB) EncryptAtRest(ctx context.Context, batch int) (EncryptCounts, error) {
	var n EncryptCounts
	k := db.crypto.keys
	if k == nil {
		return n, fmt.Errorf("store: no SM4 key is configured (JIEDAO_SM4_KEY_FILE)")
	}
	if batch <= 0 {
		batch = 1000
	}
	cur := gmcrypto.Prefix + k.Current() + ":"
	due := func(col string) string {
		return `(` + col + ` <> '' AND substr(` + col + `, 1, ` + strconv.Itoa(len(cur)) + `) <> ?)`
	}
	type row struct {
		id     int64
		a, b   string // as read
		na, nb string // sealed under the current key
	}
	for _, t := range []struct {
		query, update string
		args          int
		contacts      bool
	}{
		{`SELECT case_id, name, phone FROM case_contacts WHERE case_id > ? AND (` + due("name") + ` OR ` + due("phone") + `) ORDER BY case_id LIMIT ?`,
			`UPDATE case_contacts SET name = ?, phone = ? WHERE case_id = ? AND name = ? AND phone = ?`, 2, true},
		{`SELECT client_id, secret, '' FROM intake_secrets WHERE client_id > ? AND ` + due("secret") + ` ORDER BY client_id LIMIT ?`,
			`UPDATE intake_secrets SET secret = ? WHERE client_id = ? AND secret = ?`, 1, false},
	} {
		var after int64
		for {
			args := []any{after}
			for range t.args {
				args = append(args, cur)
			}
			args = append(args, batch)
			rows, err := db.reader().query(ctx, t.query, args...)
			if err != nil {
				return n, err
			}
			var rs []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.id, &r.a, &r.b); err != nil {
					rows.Close()
					return n, err
				}
				rs = append(rs, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return n, err
			}
			if len(rs) == 0 {
				break
			}
			for i := range rs {
				r := &rs[i]
				if t.contacts {
					name, phone, err := db.openContact(r.id, r.a, r.b)
					if err != nil {
						return n, err
					}
					r.na, r.nb = db.sealContact(r.id, name, phone)
				} else {
					s, err := db.open(r.a, secretAD(r.id))
					if err != nil {
						return n, err
					}
					r.na = db.seal(s, secretAD(r.id))
				}
			}
			err = db.inTx(ctx, func(tx conn) error {
				for _, r := range rs {
					var err error
					if t.contacts {
						_, err = tx.exec(ctx, t.update, r.na, r.nb, r.id, r.a, r.b)
					} else {
						_, err = tx.exec(ctx, t.update, r.na, r.id, r.a)
					}
					if err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return n, err
			}
			if t.contacts {
				n.Contacts += int64(len(rs))
			} else {
				n.Secrets += int64(len(rs))
			}
			after = rs[len(rs)-1].id
		}
	}
	return n, nil
}

// CryptoStatus is what `jiedao crypto status` prints.
type CryptoStatus struct {
	Suite      string           `json:"suite"`
	Hash       string           `json:"hash"`
	CurrentKey string           `json:"current_key,omitempty"`
	Contacts   map[string]int64 `json:"contacts"` // rows by key id; "plaintext", "erased"
	Secrets    map[string]int64 `json:"secrets"`
	ChainHead  string           `json:"chain_alg"` // the algorithm the sealer last used
}

// CryptoStatus counts the rows in plaintext and under each key.
func (db *DB) CryptoStatus(ctx context.Context) (*CryptoStatus, error) {
	st := &CryptoStatus{Suite: db.CryptoSuite().Name, Hash: string(db.CryptoSuite().Hash), Contacts: map[string]int64{}, Secrets: map[string]int64{}}
	if db.crypto.keys != nil {
		st.CurrentKey = db.crypto.keys.Current()
	}
	if err := db.reader().queryRow(ctx, `SELECT alg FROM audit_head WHERE id = 1`).Scan(&st.ChainHead); err != nil {
		return nil, err
	}
	for _, t := range []struct {
		q string
		m map[string]int64
	}{{`SELECT phone FROM case_contacts`, st.Contacts}, {`SELECT secret FROM intake_secrets`, st.Secrets}} {
		rows, err := db.reader().query(ctx, t.q)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				rows.Close()
				return nil, err
			}
			switch id, ok := gmcrypto.Sealed(v); {
			case ok:
				t.m[id]++
			case v == "":
				t.m["erased"]++
			default:
				t.m["plaintext"]++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return st, nil
}
