package org

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Time-based one-time passwords (TOTP, RFC 6238) as every authenticator
// app reads them: HMAC-SHA1, 30-second steps, 6 digits, a secret of 20
// random bytes in base32. It is written here on the standard library (a
// few lines of RFC 4226) rather than taken from a package: nothing else is
// needed, and the rules that matter — one step either side, a code never
// accepted twice — are the caller's anyway.
const (
	totpStep   = 30 // seconds
	totpDigits = 6
	// totpSkew is how many steps either side of now are accepted, for
	// phones whose clocks drift.
	totpSkew = 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a new random secret in base32.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return b32.EncodeToString(b)
}

// totpStepOf is the time step a moment falls in.
func totpStepOf(t time.Time) int64 { return t.Unix() / totpStep }

// hotp is RFC 4226's one-time password of a counter.
func hotp(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1000000)
}

// TOTPCode returns the code of a secret at a moment (for tests and for
// the enrolment's own check).
func TOTPCode(secret string, at time.Time) string {
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return ""
	}
	return hotp(key, totpStepOf(at))
}

// matchTOTP returns the step whose code the code is, within the skew of
// now and after the step last accepted (so a code is never accepted
// twice), or 0 when it matches none.
func matchTOTP(secret, code string, now time.Time, lastStep int64) int64 {
	code = strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, code)
	if len(code) != totpDigits {
		return 0
	}
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return 0
	}
	cur := totpStepOf(now)
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if s > lastStep && subtle.ConstantTimeCompare([]byte(hotp(key, s)), []byte(code)) == 1 {
			return s
		}
	}
	return 0
}

// TOTPURI is the otpauth:// address an authenticator app reads from the
// enrolment's QR code.
func TOTPURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}
