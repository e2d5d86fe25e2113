package server

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiterTokenBucket(t *testing.T) {
	clock := &fakeClock{t: time.Date(2024, 6, 11, 9, 0, 0, 0, time.UTC)}
	l := newLimiter(Rate{Burst: 3, Per: time.Minute}, clock.now)
	for i := range 3 {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d of a burst of 3 refused", i+1)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait != 20*time.Second {
		t.Fatalf("4th request: ok %v, wait %s; want refused for 20s (one token every 20s)", ok, wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another client shares the first one's bucket")
	}
	clock.advance(15 * time.Second)
	if ok, wait := l.allow("a"); ok || wait != 5*time.Second {
		t.Fatalf("after 15s: ok %v, wait %s; want refused for 5s", ok, wait)
	}
	clock.advance(5 * time.Second)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("after 20s a token should be back")
	}
	if ok, _ := l.allow("a"); ok {
		t.Fatal("only one token came back in 20s")
	}
	// An hour idle refills to the burst, not beyond.
	clock.advance(time.Hour)
	for i := range 4 {
		ok, _ := l.allow("a")
		if ok != (i < 3) {
			t.Fatalf("after an hour idle, request %d: ok %v", i+1, ok)
		}
	}
}

func TestLimiterForgetsIdleKeysAndStaysBounded(t *testing.T) {
	clock := &fakeClock{t: time.Date(2024, 6, 11, 9, 0, 0, 0, time.UTC)}
	l := newLimiter(Rate{Burst: 2, Per: time.Minute}, clock.now)
	l.maxKeys = 100
	for i := range 50 {
		l.allow(fmt.Sprint("idle", i))
	}
	clock.advance(61 * time.Second) // all 50 have refilled: nothing to remember
	l.allow("new")
	if n := l.size(); n != 1 {
		t.Fatalf("after a minute idle %d keys are kept, want only the new one", n)
	}
	// A flood of distinct keys never holds more than maxKeys.
	for i := range 1000 {
		l.allow(fmt.Sprint("flood", i))
	}
	if n := l.size(); n != 100 {
		t.Fatalf("%d keys held, want the bound 100", n)
	}
	// The most recent keys are the ones kept, with their spent tokens.
	l.allow("flood999")
	if ok, _ := l.allow("flood999"); ok {
		t.Fatal("a recent key was forgotten")
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]Rate{"60/1m": {60, time.Minute}, "5/10s": {5, 10 * time.Second}, "off": {}, "0": {}} {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "60", "x/1m", "60/x", "-1/1m", "5/-1s"} {
		if _, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) accepted", in)
		}
	}
}

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		peer, xff, realIP, want string
	}{
		{"203.0.113.7:5000", "", "", "203.0.113.7"},
		// An untrusted peer cannot choose its address.
		{"203.0.113.7:5000", "198.51.100.1", "198.51.100.2", "203.0.113.7"},
		// Through our proxy: the last address it appended.
		{"10.1.2.3:5000", "198.51.100.1", "", "198.51.100.1"},
		// A client's own X-Forwarded-For is on the left, and ignored.
		{"10.1.2.3:5000", "1.1.1.1, 198.51.100.1, 10.9.9.9", "", "198.51.100.1"},
		{"127.0.0.1:5000", "", "198.51.100.3", "198.51.100.3"},
		{"10.1.2.3:5000", "garbage", "", "10.1.2.3"},
		{"[2001:db8::1]:5000", "", "", "2001:db8::1"},
	}
	for _, c := range cases {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if c.realIP != "" {
			r.Header.Set("X-Real-IP", c.realIP)
		}
		if got := clientAddr(r, trusted); got.String() != c.want {
			t.Errorf("peer %s, XFF %q, X-Real-IP %q: client %s, want %s", c.peer, c.xff, c.realIP, got, c.want)
		}
	}
	if k := limitKey(netip.MustParseAddr("2001:db8:1:2:3:4:5:6")); k != "2001:db8:1:2::/64" {
		t.Errorf("IPv6 key %s, want the /64", k)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("a bad CIDR was accepted")
	}
}

// BenchmarkLimiterAllow measures one request's cost in the limiter: a
// client seen before (the common case), and a flood of new addresses
// against a full table, which evicts one key per request.
func BenchmarkLimiterAllow(b *testing.B) {
	b.Run("known client", func(b *testing.B) {
		l := newLimiter(Rate{Burst: 1 << 30, Per: time.Minute}, time.Now)
		for b.Loop() {
			l.allow("198.51.100.1")
		}
	})
	b.Run("new address, table full", func(b *testing.B) {
		l := newLimiter(Rate{Burst: 10, Per: time.Hour}, time.Now)
		keys := make([]string, 2*maxKeys)
		for i := range keys {
			keys[i] = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).String()
		}
		for _, k := range keys[:maxKeys] {
			l.allow(k)
		}
		i := 0
		for b.Loop() {
			l.allow(keys[i%len(keys)])
			i++
		}
		b.ReportMetric(float64(l.size()), "keys")
	})
}
