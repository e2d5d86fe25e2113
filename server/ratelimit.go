package server

import (
	"container/list"
	"fmt"
	"math"
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
	tokens float64
	at     time.Time // when tokens was computed
}

func newLimiter(rate Rate, now func() time.Time) *limiter {
	return &limiter{rate: rate, now: now, maxKeys: maxKeys, order: list.New(), keys: map[string]*list.Element{}}
}

// allow takes a token from key's bucket. When there is none it returns
// false and how long until there is one.
func (l *limiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	perToken := l.rate.Per.Seconds() / float64(l.rate.Burst)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evict(now)
	var b *bucket
	if e, ok := l.keys[key]; ok {
		b = e.Value.(*bucket)
		b.tokens = math.Min(float64(l.rate.Burst), b.tokens+now.Sub(b.at).Seconds()/perToken)
		b.at = now
		l.order.MoveToFront(e)
	} else {
		b = &bucket{key: key, tokens: float64(l.rate.Burst), at: now}
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
		if l.order.Len() < l.maxKeys && now.Sub(b.at) < l.rate.Per {
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
