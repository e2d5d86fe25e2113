package store_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/demo"
	"github.com/jiedao/jiedao/internal/gmcrypto"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// The commercial-cryptography suite (docs/dengbao.md, 密评): SM3 chain,
// SM4 contacts and secrets at rest, migration, rotation, algorithm change.

const testKey1 = "k1 0123456789abcdeffedcba9876543210"

func keyring(t *testing.T, text string) *gmcrypto.Keyring {
	t.Helper()
	k, err := gmcrypto.ParseKeys(text)
	must(t, err)
	return k
}

var phoneRe = regexp.MustCompile(`1[3-9][0-9]{9}`)

// rawContacts reads case_contacts as stored.
func rawContacts(t *testing.T, db *store.DB) (rows [][2]string) {
	t.Helper()
	r, err := db.Query(bg, `SELECT name, phone FROM case_contacts ORDER BY case_id`)
	must(t, err)
	defer r.Close()
	for r.Next() {
		var n, p string
		must(t, r.Scan(&n, &p))
		rows = append(rows, [2]string{n, p})
	}
	return rows
}

func chainAlgs(t *testing.T, db *store.DB) string {
	t.Helper()
	r, err := db.Query(bg, `SELECT alg, COUNT(*) FROM audit_chain GROUP BY alg ORDER BY alg`)
	must(t, err)
	defer r.Close()
	var out []string
	for r.Next() {
		var a string
		var n int64
		must(t, r.Scan(&a, &n))
		out = append(out, a)
	}
	return strings.Join(out, ",")
}

// TestGMDemoYear builds a small demo year with JIEDAO_CRYPTO=gm and an SM4
// key: the chain verifies with SM3 only, the raw contacts table holds no
// phone number and no name, and tampering is still found.
func TestGMDemoYear(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		db.SetCrypto(gmcrypto.GM, keyring(t, testKey1))
		if _, err := demo.Generate(bg, db, demo.Options{Year: 2023, Scale: 0.002, Seed: 9, Now: time.Date(2024, 1, 10, 12, 0, 0, 0, time.UTC)}, nil); err != nil {
			t.Fatal(err)
		}
		sealAll(t, db)
		rep := verify(t, db, nil)
		if rep.Problem != nil || rep.Verified < 100 || rep.Unsealed != 0 {
			t.Fatalf("verify: %+v", rep)
		}
		if len(rep.Algorithms) != 1 || rep.Algorithms[0].Alg != "sm3" || rep.Algorithms[0].From != 1 || rep.Algorithms[0].To != rep.Verified {
			t.Fatalf("algorithms %+v, want sm3 over 1..%d", rep.Algorithms, rep.Verified)
		}
		if a := chainAlgs(t, db); a != "sm3" {
			t.Fatalf("chain algorithms %q", a)
		}
		rows := rawContacts(t, db)
		if len(rows) < 10 {
			t.Fatalf("%d contacts", len(rows))
		}
		for _, r := range rows {
			for _, v := range r {
				if v != "" && !strings.HasPrefix(v, "sm4gcm:k1:") || phoneRe.MatchString(v) {
					t.Fatalf("raw contact %q is not sealed", v)
				}
			}
		}
		// Read back through the store, the contact is the resident's.
		caseID := scalar[int64](t, db, `SELECT case_id FROM case_contacts WHERE phone <> '' ORDER BY case_id LIMIT 1`)
		c, err := db.Cases().GetCase(bg, caseID)
		must(t, err)
		if !phoneRe.MatchString(c.Reporter.Phone) || c.Reporter.Name == "" {
			t.Fatalf("case %d reads back contact %+v", caseID, c.Reporter)
		}
		events, err := db.Cases().ListEvents(bg, caseID)
		must(t, err)
		if d := events[0].Payload.ReporterDigest; !strings.HasPrefix(d, "sm3:") || len(d) != 4+64 {
			t.Fatalf("reporter digest %q, want sm3:HEX", d)
		}
		// A sealed phone number moved to another case does not open.
		other := scalar[int64](t, db, `SELECT case_id FROM case_contacts WHERE case_id <> ? AND phone <> '' ORDER BY case_id LIMIT 1`, caseID)
		exec(t, db, `UPDATE case_contacts SET phone = (SELECT phone FROM case_contacts WHERE case_id = ?) WHERE case_id = ?`, caseID, other)
		if _, err := db.Cases().GetCase(bg, other); err == nil {
			t.Fatal("a ciphertext moved to another row opened")
		}
		// Tampering under SM3 is found.
		evID := scalar[int64](t, db, `SELECT MAX(id) FROM case_events WHERE case_id = ?`, caseID)
		exec(t, db, `UPDATE case_events SET reason = 'SM3 下的篡改' WHERE id = ?`, evID)
		if p := verify(t, db, nil).Problem; p == nil || p.Kind != "altered" || p.RefID != evID {
			t.Fatalf("tampering under SM3: %+v", p)
		}
	})
}

// TestGMEncryptAtRest enables the key on a database written in plaintext:
// reads go on meanwhile, EncryptAtRest seals everything (again: nothing),
// then a rotation re-seals under the new key; a secret likewise.
func TestGMEncryptAtRest(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newAuditWorld(t, db)
		var cases []*casework.Case
		for range 3 {
			cases = append(cases, w.history(t, w.svc))
		}
		auth := &org.Auth{Store: db.Org(), Policy: org.DefaultAuthPolicy(), Now: time.Now}
		_, client, err := auth.CreateAPIClient(bg, "物联网平台", "iot")
		must(t, err)
		must(t, db.Intake().PutSecret(bg, client.ID, "s3cret-plain", time.Now()))
		if rows := rawContacts(t, db); rows[0][1] != "13812345678" {
			t.Fatalf("before the key: %q", rows[0])
		}

		db.SetCrypto(gmcrypto.GM, keyring(t, testKey1))
		// Plaintext still reads while not yet sealed.
		c, err := db.Cases().GetCase(bg, cases[0].ID)
		must(t, err)
		if c.Reporter.Phone != "13812345678" {
			t.Fatalf("plaintext contact reads %q", c.Reporter.Phone)
		}
		n, err := db.EncryptAtRest(bg, 2) // small batches: several transactions
		must(t, err)
		if n.Contacts != 3 || n.Secrets != 1 {
			t.Fatalf("sealed %+v, want 3 contacts and 1 secret", n)
		}
		if n, _ := db.EncryptAtRest(bg, 2); n.Contacts+n.Secrets != 0 {
			t.Fatalf("a second run sealed %+v again", n)
		}
		for _, r := range rawContacts(t, db) {
			if !strings.HasPrefix(r[0], "sm4gcm:k1:") || !strings.HasPrefix(r[1], "sm4gcm:k1:") {
				t.Fatalf("raw contact %q", r)
			}
		}
		if raw := scalar[string](t, db, `SELECT secret FROM intake_secrets`); strings.Contains(raw, "s3cret") || !strings.HasPrefix(raw, "sm4gcm:k1:") {
			t.Fatalf("raw secret %q", raw)
		}
		if s, err := db.Intake().Secret(bg, client.ID); err != nil || s != "s3cret-plain" {
			t.Fatalf("secret reads %q, %v", s, err)
		}
		// A case reported now is sealed as it is written.
		fresh := w.history(t, w.svc)
		if raw := scalar[string](t, db, `SELECT phone FROM case_contacts WHERE case_id = ?`, fresh.ID); !strings.HasPrefix(raw, "sm4gcm:k1:") {
			t.Fatalf("new contact stored as %q", raw)
		}

		// Rotation: k2 on top, k1 kept to open; rotate re-seals all 4+1.
		db.SetCrypto(gmcrypto.GM, keyring(t, "k2 00112233445566778899aabbccddeeff\n"+testKey1))
		n, err = db.EncryptAtRest(bg, 0)
		must(t, err)
		if n.Contacts != 4 || n.Secrets != 1 {
			t.Fatalf("rotated %+v", n)
		}
		st, err := db.CryptoStatus(bg)
		must(t, err)
		if st.Contacts["k2"] != 4 || st.Contacts["k1"] != 0 || st.Contacts["plaintext"] != 0 || st.Secrets["k2"] != 1 {
			t.Fatalf("status after rotation %+v", st)
		}
		// k1 can now leave the key file.
		db.SetCrypto(gmcrypto.GM, keyring(t, "k2 00112233445566778899aabbccddeeff"))
		c, err = db.Cases().GetCase(bg, cases[2].ID)
		must(t, err)
		if c.Reporter.Phone != "13812345678" || c.Reporter.Name != "张三" {
			t.Fatalf("after rotation: %+v", c.Reporter)
		}
		// Retention still erases a sealed contact.
		exec(t, db, `UPDATE case_contacts SET name = '', phone = '', salt = NULL, anonymised_at = ? WHERE case_id = ?`, time.Now(), cases[1].ID)
		c, err = db.Cases().GetCase(bg, cases[1].ID)
		must(t, err)
		if c.Reporter.Phone != "" {
			t.Fatalf("erased contact reads %q", c.Reporter.Phone)
		}
	})
}

// TestAuditAlgorithmChange seals a chain with SHA-256, switches the suite
// to SM3 and seals more: one chain, verified across the marked switch; a
// record altered on either side is found.
func TestAuditAlgorithmChange(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		w := newAuditWorld(t, db)
		first := w.history(t, w.svc)
		before := int64(sealAll(t, db))
		db.SetCrypto(gmcrypto.GM, keyring(t, testKey1))
		second := w.history(t, w.svc)
		after := int64(sealAll(t, db))
		if after < 5 {
			t.Fatalf("sealed %d after the switch", after)
		}
		marks := scalar[int64](t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'audit.algorithm'`)
		if marks != 1 {
			t.Fatalf("%d audit.algorithm records", marks)
		}
		rep := verify(t, db, nil)
		if rep.Problem != nil || rep.Verified != before+after {
			t.Fatalf("verify across the switch: %+v", rep)
		}
		want := []store.AlgSpan{{Alg: "sha256", From: 1, To: before}, {Alg: "sm3", From: before + 1, To: before + after}}
		if len(rep.Algorithms) != 2 || rep.Algorithms[0] != want[0] || rep.Algorithms[1] != want[1] {
			t.Fatalf("algorithms %+v, want %+v", rep.Algorithms, want)
		}
		// The first SM3 entry is the marker record.
		if src := scalar[string](t, db, `SELECT source FROM audit_chain WHERE seq = ?`, before+1); src != "admin" {
			t.Fatalf("entry %d after the switch is %s, want the audit.algorithm record", before+1, src)
		}
		// An entry's algorithm changed by hand does not verify.
		exec(t, db, `UPDATE audit_chain SET alg = 'sha256' WHERE seq = ?`, before+2)
		if p := verify(t, db, nil).Problem; p == nil || p.Kind != "altered" || p.Seq != before+2 {
			t.Fatalf("entry with a changed algorithm: %+v", p)
		}
		exec(t, db, `UPDATE audit_chain SET alg = 'sm3' WHERE seq = ?`, before+2)
		for _, c := range []*casework.Case{first, second} {
			evID := scalar[int64](t, db, `SELECT MAX(id) FROM case_events WHERE case_id = ?`, c.ID)
			name := scalar[string](t, db, `SELECT actor_name FROM case_events WHERE id = ?`, evID)
			exec(t, db, `UPDATE case_events SET actor_name = '冒名' WHERE id = ?`, evID)
			if p := verify(t, db, nil).Problem; p == nil || p.Kind != "altered" || p.RefID != evID {
				t.Fatalf("case %s altered: %+v", c.Number, p)
			}
			exec(t, db, `UPDATE case_events SET actor_name = ? WHERE id = ?`, name, evID)
			wantIntact(t, db, before+after)
		}
	})
}
