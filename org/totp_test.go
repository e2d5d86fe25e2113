package org

import (
	"encoding/base32"
	"testing"
	"time"
)

// TestTOTPVectors: the codes are RFC 6238's test vectors (SHA-1, the last
// six of its eight digits), and matchTOTP accepts a step either side of
// now, never the step last used, nothing further.
func TestTOTPVectors(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for _, v := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}} {
		if got := TOTPCode(secret, time.Unix(v.unix, 0)); got != v.want {
			t.Errorf("TOTP at %d = %s, want %s", v.unix, got, v.want)
		}
	}
	now := time.Unix(1111111111, 0)
	step := totpStepOf(now)
	for _, d := range []struct {
		off  time.Duration
		last int64
		ok   bool
	}{{0, 0, true}, {-30 * time.Second, 0, true}, {30 * time.Second, 0, true}, {-60 * time.Second, 0, false},
		{60 * time.Second, 0, false}, {0, step, false}, {30 * time.Second, step, true}} {
		code := TOTPCode(secret, now.Add(d.off))
		got := matchTOTP(secret, code, now, d.last)
		if (got != 0) != d.ok {
			t.Errorf("code of now%+v after step %d: matched step %d, want ok=%v", d.off, d.last-step, got-step, d.ok)
		}
	}
	if matchTOTP(secret, "12345", now, 0) != 0 || matchTOTP(secret, "", now, 0) != 0 {
		t.Error("a short code matched")
	}
}
