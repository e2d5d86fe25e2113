// Package gmcrypto is where jiedao chooses its cryptographic algorithms:
// the international ones (SHA-256, HMAC-SHA256; the default) or the
// Chinese commercial ones (商用密码, GB/T 39786-2021: SM3, HMAC-SM3 and
// SM4), selected by JIEDAO_CRYPTO=gm. It also holds the keyring that
// encrypts residents' contacts and machine clients' signing secrets at rest
// with SM4-GCM (keyring.go). Rules and the 密评 table: docs/dengbao.md.
//
// The SM algorithms come from github.com/emmansun/gmsm, pure Go with
// assembly only where it is optional, so the linux/arm64 and linux/loong64
// builds need no C toolchain.
package gmcrypto

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"github.com/jiedao/jiedao"
)

// Hash names a 256-bit hash function. Its name is stored with what it
// hashed (an audit chain entry, a checkpoint, a contact digest), so that a
// verifier knows which one to use.
type Hash string

const (
	SHA256 Hash = "sha256"
	SM3    Hash = "sm3" // GB/T 32905-2016
)

// Valid reports whether h is a hash jiedao knows.
func (h Hash) Valid() bool { return h == SHA256 || h == SM3 }

// Sum is the digest of b.
func (h Hash) Sum(b []byte) [32]byte {
	if h == SM3 {
		return sm3.Sum(b)
	}
	return sha256.Sum256(b)
}

// New returns a new hash.Hash of the algorithm.
func (h Hash) New() hash.Hash {
	if h == SM3 {
		return sm3.New()
	}
	return sha256.New()
}

// MAC returns the HMAC of the hash, keyed by key.
func (h Hash) MAC(key []byte) hash.Hash { return hmac.New(h.New, key) }

// Suite is the set of algorithms a deployment uses.
type Suite struct {
	Name string // "default" or "gm"
	Hash Hash   // the audit chain's and the contact digests' hash
}

// Default is the international suite: SHA-256.
var Default = Suite{Name: "default", Hash: SHA256}

// GM is the commercial-cryptography suite: SM3 (and SM4 through the keyring).
var GM = Suite{Name: "gm", Hash: SM3}

// ParseSuite reads JIEDAO_CRYPTO's value: "" or "default", or "gm".
func ParseSuite(s string) (Suite, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "default", "intl", "sha256":
		return Default, nil
	case "gm", "sm", "guomi", "sm3":
		return GM, nil
	}
	return Suite{}, jiedao.Invalid("crypto", "密码算法选项只能是 default 或 gm（商用密码）", "--crypto must be default or gm (Chinese commercial cryptography)")
}
