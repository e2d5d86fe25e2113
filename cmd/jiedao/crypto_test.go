package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
)

// TestCryptoBinary turns 商用密码 on for a database written with the
// default suite, as an operator would: a key from `crypto newkey`, the
// contacts sealed by `crypto encrypt` (the raw table then holds no phone
// number), the chain switched to SM3 at the next seal and verified across
// the switch, a rotation to a second key; and gm without a key refused.
func TestCryptoBinary(t *testing.T) {
	bin := buildBinary(t)
	ctx := context.Background()
	for _, engine := range testdb.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			dsn, db, o := fixtureDB(t, engine)
			svc := o.Service(fixture.NewClock(time.Date(2024, 6, 3, 9, 0, 0, 0, calendar.Zone())).Now)
			for _, phone := range []string{"13812345678", "13987654321"} {
				lat, lon := o.LatLon(o.GridW1.ID)
				if _, err := svc.Report(ctx, org.ResidentActor("张三"), casework.ReportInput{Category: fixture.CatExposedTrash,
					Details: "垃圾桶满溢", Lat: lat, Lon: lon, Reporter: casework.Contact{Name: "张三", Phone: phone}}); err != nil {
					t.Fatal(err)
				}
			}
			keyFile := filepath.Join(t.TempDir(), "sm4-keys")
			var env []string
			jiedao := func(args ...string) (string, int) {
				cmd := exec.Command(bin, append(args, "--db", dsn)...)
				cmd.Env = append(os.Environ(), env...)
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
			if out, code := jiedao("audit", "seal"); code != 0 || !strings.Contains(out, "sealed 2 records") {
				t.Fatalf("audit seal: %d %s", code, out)
			}
			if out, code := jiedao("crypto", "status"); code != 0 || !strings.Contains(out, `"plaintext": 2`) {
				t.Fatalf("crypto status: %d %s", code, out)
			}
			key, code := jiedao("crypto", "newkey", "--id", "k1")
			if code != 0 || !regexp.MustCompile(`^k1 [0-9a-f]{32}\n$`).MatchString(key) {
				t.Fatalf("crypto newkey: %d %q", code, key)
			}
			if err := os.WriteFile(keyFile, []byte(key), 0o400); err != nil {
				t.Fatal(err)
			}
			env = []string{"JIEDAO_CRYPTO=gm"}
			if out, code := jiedao("crypto", "encrypt"); code == 0 || !strings.Contains(out, "JIEDAO_SM4_KEY_FILE") {
				t.Fatalf("gm without a key: %d %s", code, out)
			}
			env = append(env, "JIEDAO_SM4_KEY_FILE="+keyFile)
			if out, code := jiedao("crypto", "encrypt"); code != 0 || !strings.Contains(out, "2 条联系方式 / contacts") {
				t.Fatalf("crypto encrypt: %d %s", code, out)
			}
			rows, err := db.Query(ctx, `SELECT name || ' ' || phone FROM case_contacts`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				if strings.Contains(v, "138") || strings.Contains(v, "139") || strings.Contains(v, "张") {
					t.Fatalf("raw contact after crypto encrypt: %q", v)
				}
			}
			rows.Close()
			// The next seal switches the chain to SM3 at a marked record.
			if out, code := jiedao("audit", "seal"); code != 0 || !strings.Contains(out, "sealed 1 records") {
				t.Fatalf("audit seal under gm: %d %s", code, out)
			}
			out, code := jiedao("audit", "verify", "--full")
			if code != 0 || !strings.Contains(out, "algorithm sha256: 第 / entries 1–2") || !strings.Contains(out, "algorithm sm3: 第 / entries 3–3") ||
				!strings.Contains(out, "checkpoint stored at entry 3") {
				t.Fatalf("audit verify --full under gm: %d %s", code, out)
			}
			if out, code := jiedao("audit", "verify"); code != 0 || !strings.Contains(out, "keyed with SM4 key k1") {
				t.Fatalf("routine audit verify under gm: %d %s", code, out)
			}
			// Rotation: k2 on top; rotate; k1 can go.
			k2, _ := jiedao("crypto", "newkey", "--id", "k2")
			os.Chmod(keyFile, 0o600)
			if err := os.WriteFile(keyFile, []byte(k2+key), 0o400); err != nil {
				t.Fatal(err)
			}
			if out, code := jiedao("crypto", "rotate"); code != 0 || !strings.Contains(out, "sealed under key k2: 2 条") {
				t.Fatalf("crypto rotate: %d %s", code, out)
			}
			out, code = jiedao("crypto", "status")
			if code != 0 || !strings.Contains(out, `"k2": 2`) || strings.Contains(out, `"k1"`) || strings.Contains(out, "plaintext") {
				t.Fatalf("crypto status after rotation: %d %s", code, out)
			}
		})
	}
}
