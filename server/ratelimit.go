package server

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rateClass names the limit a route is under in the route table; the
// empty class is not limited. Each class has its own buckets, so that a
// burst of logins does not use up the reports of the same address.
type rateClass string

const (
	noLimit      rateClass = ""
	limitReport  rateClass = "report"  // residents' reports: pages and the JSON API
	limitOpen311 rateClass = "open311" // Open311 POSTs: one app server speaks for many residents
	limitTrack   rateClass = "track"   // following and rating a case by phone number
	limitLogin   rateClass = "login"   // sign-in, page and API
)

// Rate is a token bucket's size and refill: Burst requests at once, and
// Burst more every Per. The zero Rate is no limit.
type Rate struct {
	Burst int
	Per   time.Duration
}

// Off reports whether the rate limits nothing.
func (r Rate) Off() bool { return r.Burst <= 0 || r.Per <= 0 }

// String gives the rate as ParseRate reads it.
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	return strconv.Itoa(r.Burst) + "/" + r.Per.String()
}

// ParseRate reads "N/DURATION" (60/1m: sixty requests a minute, all of
// them at once if need be) or "off".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	burst, err1 := strconv.Atoi(n)
	d, err2 := time.ParseDuration(per)
	if !ok || err1 != nil || err2 != nil || burst <= 0 || d <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want N/DURATION, such as 60/1m, or off", s)
	}
	return Rate{Burst: burst, Per: d}, nil
}

// Limits are the rates of the route table's classes.
type Limits struct {
	Report, Open311, Track, Login Rate
}

// DefaultLimits are generous for reports, since a grid's QR code in a
// housing estate puts many residents behind one address (NAT), and strict
// for sign-in and following a case, where a limit is what stops guessing
// passwords and phone numbers.
func DefaultLimits() Limits {
	return Limits{
		Report:  Rate{Burst: 60, Per: time.Minute},
		Open311: Rate{Burst: 600, Per: time.Minute},
		Track:   Rate{Burst: 10, Per: time.Minute},
		Login:   Rate{Burst: 10, Per: time.Minute},
	}
}

func (l Limits) of(c rateClass) Rate {
	switch c {
	case limitReport:
		return l.Report
	case limitOpen311:
		return l.Open311
	case limitTrack:
		return l.Track
	case limitLogin:
		return l.Login
	}
	return Rate{}
}

// maxKeys bounds the memory of one limiter: past it, the key used least
// recently is forgotten (it starts again with a full bucket).
const maxKeys = 100_000

// limiter is a token bucket per client key, in this process's memory.
// Keys are kept in order of last use; a key whose bucket has refilled is
// the same as no key, so idle keys are dropped from the old end as
// requests come, and memory stays bounded without a sweeper goroutine.
type limiter struct {
	rate    Rate
	now     func() time.Time
	maxKeys int

	mu    sync.Mutex
	order *list.List // of *bucket, most recently used first
	keys  map[string]*list.Element
}

type bucket struct {
	key    string
	rate   Rate
	tokens float64
	at     time.Time // when tokens was computed
}

func newLimiter(rate Rate, now func() time.Time) *limiter {
	return &limiter{rate: rate, now: now, maxKeys: maxKeys, order: list.New(), keys: map[string]*list.Element{}}
}

// allow takes a token from key's bucket. When there is none it returns
// false and how long until there is one.
func (l *limiter) allow(key string) (bool, time.Duration) {
	return l.allowRate(key, l.rate)
}

// allowRate is allow with a rate of the key's own (a machine client's).
func (l *limiter) allowRate(key string, rate Rate) (bool, time.Duration) {
	now := l.now()
	perToken := rate.Per.Seconds() / float64(rate.Burst)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evict(now)
	var b *bucket
	if e, ok := l.keys[key]; ok {
		b = e.Value.(*bucket)
		if b.rate != rate { // the client's limit changed: start afresh
			b.rate, b.tokens = rate, float64(rate.Burst)
		}
		b.tokens = math.Min(float64(rate.Burst), b.tokens+now.Sub(b.at).Seconds()/perToken)
		b.at = now
		l.order.MoveToFront(e)
	} else {
		b = &bucket{key: key, rate: rate, tokens: float64(rate.Burst), at: now}
		l.keys[key] = l.order.PushFront(b)
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) * perToken * float64(time.Second)))
	return false, wait
}

// evict drops the keys unused for long enough to have refilled, and the
// least recently used ones past maxKeys.
func (l *limiter) evict(now time.Time) {
	for e := l.order.Back(); e != nil; e = l.order.Back() {
		b := e.Value.(*bucket)
		if l.order.Len() < l.maxKeys && now.Sub(b.at) < max(b.rate.Per, l.rate.Per) {
			return
		}
		l.order.Remove(e)
		delete(l.keys, b.key)
	}
}

// size is the number of keys held.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}

// Set reads a rate for a command-line flag (flag.Value).
func (r *Rate) Set(s string) error {
	v, err := ParseRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Counting across nodes.
//
// Each process keeps its token buckets in memory, which is exact for one
// process. When several serve processes share one PostgreSQL behind a
// balancer, a client spread over n of them would get n times its limit;
// so a request the local bucket allows is also counted in a shared counter
// (SharedCounter: a row per key and fixed window in the database, one
// upsert per limited request), and refused once the count of the current
// window passes the burst. The bounds, stated honestly: a fixed window lets
// a client make up to twice its burst around a window's edge (the end of
// one window and the start of the next), and never more than its burst in
// any one window across all nodes; the local bucket still bounds each node
// alone as before. If the database cannot count (it is down), requests
// are limited by the local buckets only: a limit must not turn a database
// hiccup into refusals, and the writes those requests attempt fail anyway.

// SharedCounter counts requests per key and fixed window across every
// process that shares it.
type SharedCounter interface {
	// Hit adds one to key's count in the window beginning at start (unix
	// seconds) and returns the count.
	Hit(ctx context.Context, key string, start int64) (int64, error)
}

// window returns the fixed window of rate that now falls in: its start in
// unix seconds and how long until its end.
func window(rate Rate, now time.Time) (int64, time.Duration) {
	per := int64(rate.Per / time.Second)
	if per < 1 {
		per = 1
	}
	start := now.Unix() / per * per
	return start, time.Unix(start+per, 0).Sub(now)
}

// clientKey is the API key a request presents, as api.Identify and
// Open311 read it: an X-API-Key header, a bearer token that is an API key,
// or Open311's api_key parameter (query string, or a form-encoded body,
// which is read here and put back for the handler). Empty: none.
func clientKey(r *http.Request) string {
	if k := strings.TrimSpace(r.Header.Get("X-API-Key")); strings.HasPrefix(k, "jd_") {
		return k
	}
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer jd_") {
		return strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	}
	if !strings.HasPrefix(r.URL.Path, "/open311/") {
		return ""
	}
	if k := r.URL.Query().Get("api_key"); k != "" {
		return strings.TrimSpace(k)
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || ct != "application/x-www-form-urlencoded" || r.Body == nil {
		return ""
	}
	const maxPeek = 1 << 20 // Open311's own bound on a form (open311.maxForm)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPeek+1))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	if err != nil || len(body) > maxPeek {
		return "" // the handler answers the body's fault
	}
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(q.Get("api_key"))
}

// limit applies the route's limit to a request: per API key, with the
// client's own rate when it has one, for a request that presents a valid
// key; else per address. A wrong key is counted against its address, so
// that inventing keys buys no more requests.
func (s *Server) limit(r *http.Request, rt route, lim *limiter, addr netip.Addr) (bool, time.Duration) {
	key, rate := limitKey(addr), lim.rate
	if k := clientKey(r); k != "" && s.auth != nil {
		if c, err := s.auth.AuthenticateClient(r.Context(), k); err == nil {
			key = "client:" + strconv.FormatInt(c.ID, 10)
			if own, err := ParseRate(c.RateLimit); err == nil && c.RateLimit != "" && !own.Off() {
				rate = own
			}
		}
	}
	ok, wait := lim.allowRate(key, rate)
	if !ok || s.Shared == nil {
		return ok, wait
	}
	start, left := window(rate, lim.now())
	n, err := s.Shared.Hit(r.Context(), string(rt.limit)+"|"+key, start)
	if err != nil {
		if last := s.sharedWarned.Load(); r.Context().Err() == nil && time.Since(time.Unix(0, last)) > time.Minute &&
			s.sharedWarned.CompareAndSwap(last, time.Now().UnixNano()) {
			s.log.Warn("rate limit: shared counter unavailable, counting on this node only", "err", err)
		}
		return true, 0
	}
	if n > int64(rate.Burst) {
		return false, left
	}
	return true, 0
}
