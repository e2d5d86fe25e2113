package gmcrypto

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestHashes(t *testing.T) {
	// GB/T 32905-2016 appendix A example 1, and FIPS 180-2's "abc".
	for _, c := range []struct {
		h    Hash
		want string
	}{
		{SM3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"},
		{SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	} {
		got := c.h.Sum([]byte("abc"))
		if hex.EncodeToString(got[:]) != c.want {
			t.Errorf("%s(abc) = %x, want %s", c.h, got, c.want)
		}
		m := c.h.New()
		m.Write([]byte("abc"))
		if hex.EncodeToString(m.Sum(nil)) != c.want {
			t.Errorf("%s.New() disagrees with Sum", c.h)
		}
	}
	if s, err := ParseSuite("gm"); err != nil || s.Hash != SM3 {
		t.Errorf("ParseSuite(gm) = %v, %v", s, err)
	}
	if s, err := ParseSuite(""); err != nil || s.Hash != SHA256 {
		t.Errorf("ParseSuite('') = %v, %v", s, err)
	}
	if _, err := ParseSuite("md5"); err == nil {
		t.Error("ParseSuite(md5) accepted")
	}
}

func TestKeyring(t *testing.T) {
	old, err := ParseKeys("# jiedao SM4 keys\nk1 0123456789abcdeffedcba9876543210\n")
	if err != nil {
		t.Fatal(err)
	}
	v := old.Seal("13800138000", "case_contacts.phone:7")
	if strings.Contains(v, "13800138000") || !strings.HasPrefix(v, "sm4gcm:k1:") {
		t.Fatalf("sealed %q", v)
	}
	if v2 := old.Seal("13800138000", "case_contacts.phone:7"); v2 == v {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if got, err := old.Open(v, "case_contacts.phone:7"); err != nil || got != "13800138000" {
		t.Errorf("Open = %q, %v", got, err)
	}
	if _, err := old.Open(v, "case_contacts.phone:8"); err != ErrOpen {
		t.Errorf("a value moved to another row opened: %v", err)
	}
	b := []byte(v)
	b[len(b)-3] ^= 1
	if _, err := old.Open(string(b), "case_contacts.phone:7"); err == nil {
		t.Error("an altered value opened")
	}
	if got, _ := old.Open("13900000000", "x"); got != "13900000000" {
		t.Error("plaintext from before encryption is not read as it is")
	}
	// Rotation: a new key on top seals; the old one still opens.
	ring, err := ParseKeys(NewKey("k2") + "\nk1 0123456789abcdeffedcba9876543210")
	if err != nil {
		t.Fatal(err)
	}
	if ring.Current() != "k2" {
		t.Errorf("current key %q, want k2", ring.Current())
	}
	if got, err := ring.Open(v, "case_contacts.phone:7"); err != nil || got != "13800138000" {
		t.Errorf("old value under the rotated ring: %q, %v", got, err)
	}
	if id, _ := Sealed(ring.Seal("x", "y")); id != "k2" {
		t.Errorf("sealed with %q, want k2", id)
	}
	alone, _ := ParseKeys(NewKey("k2"))
	if _, err := alone.Open(v, "case_contacts.phone:7"); err == nil || !strings.Contains(err.Error(), "k1") {
		t.Errorf("a value sealed with a dropped key: %v", err)
	}
	for _, bad := range []string{"k1 0123", "k1 zz23456789abcdeffedcba9876543210", "k/1 0123456789abcdeffedcba9876543210", "k1 0123456789abcdeffedcba9876543210\nk1 0123456789abcdeffedcba9876543211"} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("ParseKeys(%q) accepted", bad)
		}
	}
}
