package gmcrypto

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/emmansun/gmsm/sm4"
	"github.com/jiedao/jiedao"
)

// Encryption at rest. A value is sealed with SM4 in GCM mode (the SM4
// block cipher of GB/T 32907-2016 in Galois/Counter mode, as the SM4-GCM
// suites of GB/T 38636-2020 and RFC 8998 use it): confidentiality and
// integrity in one pass, with a random
// 96-bit nonce per value and additional data naming the row and column the
// value belongs to, so that a ciphertext moved to another row does not
// open. The stored text is
//
//	sm4gcm:KEYID:BASE64(nonce || ciphertext || tag)
//
// so that it fits the text columns the plaintext lived in, and so that the
// key that sealed it is known: keys are rotated by adding a new key at the
// top of the key file and re-encrypting (jiedao crypto rotate); old keys
// stay in the file until nothing is sealed with them.

// Prefix starts every sealed value.
const Prefix = "sm4gcm:"

// Keyring holds the SM4 keys: the first is current (seals), all open.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
	keys    map[string][]byte
}

// ParseKeys reads a key file's text: one key a line, "KEYID HEX" with a
// 128-bit key in 32 hex digits (KEYID: letters, digits, '-', '_', '.'),
// the first line the current key; blank lines and lines starting with #
// are skipped. A line of only HEX is key id "k1".
func ParseKeys(text string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}, keys: map[string][]byte{}}
	for n, line := range strings.Split(strings.ReplaceAll(text, ",", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, hx, ok := strings.Cut(line, " ")
		if !ok {
			id, hx = "k1", line
		}
		id, hx = strings.TrimSpace(id), strings.TrimSpace(hx)
		key, err := hex.DecodeString(hx)
		if err != nil || len(key) != 16 || !validID(id) {
			return nil, jiedao.Invalid("sm4_key", fmt.Sprintf("SM4 密钥第 %d 行应为“密钥编号 32位十六进制”", n+1), fmt.Sprintf("SM4 key line %d must be KEYID followed by 32 hex digits", n+1))
		}
		if _, dup := k.keys[id]; dup {
			return nil, jiedao.Invalid("sm4_key", fmt.Sprintf("SM4 密钥编号 %s 重复", id), fmt.Sprintf("SM4 key id %s appears twice", id))
		}
		b, _ := sm4.NewCipher(key)
		a, err := cipher.NewGCM(b)
		if err != nil {
			return nil, err
		}
		if k.current == "" {
			k.current = id
		}
		k.aeads[id], k.keys[id] = a, key
	}
	if k.current == "" {
		return nil, jiedao.Invalid("sm4_key", "SM4 密钥为空", "the SM4 key is empty")
	}
	return k, nil
}

// LoadKeys reads the keys from the file path, or else from text (the
// environment's JIEDAO_SM4_KEY). Both empty is no keyring (nil, nil).
func LoadKeys(path, text string) (*Keyring, error) {
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, jiedao.Invalid("sm4_key_file", "无法读取 SM4 密钥文件："+err.Error(), "cannot read the SM4 key file: "+err.Error())
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	return ParseKeys(text)
}

// NewKey returns a fresh key line for a key file: "KEYID HEX".
func NewKey(id string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return id + " " + hex.EncodeToString(b)
}

func validID(id string) bool {
	if id == "" || len(id) > 32 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Current is the id of the key that seals.
func (k *Keyring) Current() string { return k.current }

// Derive returns a 32-byte key for purpose, derived from the current key
// with HMAC-h, and the id it was derived from.
func (k *Keyring) Derive(h Hash, purpose string) (id string, key []byte) {
	return k.current, k.DeriveFrom(h, k.current, purpose)
}

// DeriveFrom is Derive from the key id, or nil when the ring lacks it.
func (k *Keyring) DeriveFrom(h Hash, id, purpose string) []byte {
	key, ok := k.keys[id]
	if !ok {
		return nil
	}
	m := h.MAC(key)
	m.Write([]byte("jiedao/" + purpose))
	return m.Sum(nil)
}

// Seal encrypts plaintext under the current key, bound to ad (the row and
// column it is stored in).
func (k *Keyring) Seal(plaintext, ad string) string {
	a := k.aeads[k.current]
	buf := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	rand.Read(buf)
	buf = a.Seal(buf, buf, []byte(plaintext), []byte(ad))
	return Prefix + k.current + ":" + base64.RawStdEncoding.EncodeToString(buf)
}

// ErrOpen is a sealed value that does not open: a wrong key, a value
// altered or moved to another row.
var ErrOpen = errors.New("gmcrypto: the sealed value does not open (wrong key, or altered, or moved)")

// Sealed reports whether a stored value is sealed, and the key id it is
// sealed with.
func Sealed(v string) (keyID string, ok bool) {
	rest, ok := strings.CutPrefix(v, Prefix)
	if !ok {
		return "", false
	}
	id, _, ok := strings.Cut(rest, ":")
	return id, ok
}

// Open decrypts a value Seal made with ad. A value that is not sealed
// (plaintext from before encryption was enabled) is returned as it is.
func (k *Keyring) Open(v, ad string) (string, error) {
	id, ok := Sealed(v)
	if !ok {
		return v, nil
	}
	if k == nil {
		return "", fmt.Errorf("gmcrypto: value sealed with key %q but no SM4 key is configured", id)
	}
	a, ok := k.aeads[id]
	if !ok {
		return "", fmt.Errorf("gmcrypto: value sealed with key %q, which the key file no longer holds", id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(v[len(Prefix)+len(id)+1:])
	if err != nil || len(raw) < a.NonceSize()+a.Overhead() {
		return "", ErrOpen
	}
	out, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], []byte(ad))
	if err != nil {
		return "", ErrOpen
	}
	return string(out), nil
}
