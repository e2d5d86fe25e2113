package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Change notices between the processes that share one database.
//
// A write that others may be waiting for (a case changed, the cached
// configuration changed) sends a notice on a topic in its transaction. On
// PostgreSQL the notice is NOTIFY, delivered by the engine at commit to
// every process listening, this one included; the payload is ids only,
// never what changed, so that a listener reads the records through its own
// access checks. On SQLite, which one process serves, the notice is handed
// to this process's subscribers once the transaction commits.
//
// Notices are a wake-up, not a log: a subscriber whose buffer is full, or
// a listener that lost its connection, misses some. After a reconnection
// every subscriber gets Resync, and must then look at the database itself
// (the board's stream reads the cases changed since its cursor), so a
// missed notice delays an update and never loses it.

// Topics.
const (
	TopicCases  = "jiedao_cases"  // payload: a case id
	TopicConfig = "jiedao_config" // payload: the configuration's version
)

// Resync is the payload every subscriber gets when notices may have been
// missed (the listener reconnected).
const Resync = "*"

// hub hands notices to this process's subscribers.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan string]struct{}
	// listen starts PostgreSQL's listener on the first subscription.
	listen sync.Once
	stop   context.CancelFunc
	done   chan struct{}
	// up is closed once the listener first listens.
	up     chan struct{}
	upOnce sync.Once
}

func (h *hub) upChan() chan struct{} {
	h.upOnce.Do(func() { h.up = make(chan struct{}) })
	return h.up
}

// WaitListening waits until this process hears other processes' notices:
// at once on SQLite; on PostgreSQL once the listener first listens (it
// starts it if need be). A notice sent before that is not heard.
func (db *DB) WaitListening(ctx context.Context) error {
	if db.engine != Postgres {
		return nil
	}
	db.Listen()
	select {
	case <-db.events.upChan():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// subscriberBuffer is how many notices a subscriber may fall behind by
// before further ones are dropped for it (it then sees Resync-like gaps,
// which its cursor covers).
const subscriberBuffer = 256

func (h *hub) publish(topic, payload string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[topic] {
		select {
		case ch <- payload:
		default:
		}
	}
}

func (h *hub) publishAll(payload string) {
	h.mu.Lock()
	topics := make([]string, 0, len(h.subs))
	for t := range h.subs {
		topics = append(topics, t)
	}
	h.mu.Unlock()
	for _, t := range topics {
		h.publish(t, payload)
	}
}

// Subscribe returns the notices of a topic and the function that ends the
// subscription. On PostgreSQL the first subscription starts the listener:
// one connection of its own, outside the pools, that reconnects when it is
// lost.
func (db *DB) Subscribe(topic string) (<-chan string, func()) {
	h := &db.events
	db.Listen()
	ch := make(chan string, subscriberBuffer)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[string]map[chan string]struct{}{}
	}
	if h.subs[topic] == nil {
		h.subs[topic] = map[chan string]struct{}{}
	}
	h.subs[topic][ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs[topic], ch)
			h.mu.Unlock()
		})
	}
}

// Listen starts, on PostgreSQL, the listener that hears other processes'
// notices (and drops the configuration cache when another process changed
// it); serve calls it at once. On SQLite it does nothing.
func (db *DB) Listen() {
	if db.engine != Postgres {
		return
	}
	h := &db.events
	h.listen.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		h.stop, h.done = cancel, make(chan struct{})
		go func() {
			defer close(h.done)
			db.listen(ctx)
		}()
	})
}

// notify sends a notice on topic once tx commits.
// notifyQuery sends a notice on PostgreSQL: the channel is the topic in
// this schema.
const notifyQuery = `SELECT pg_notify(? || '.' || current_schema(), ?)`

func (db *DB) notify(ctx context.Context, tx conn, topic, payload string) error {
	if db.engine == Postgres {
		// The channel is the topic in this schema, so that databases of
		// several deployments (or tests) in one server's schemas stay apart.
		_, err := tx.exec(ctx, notifyQuery, topic, payload)
		return err
	}
	tx.afterCommit(func() { db.events.publish(topic, payload) })
	return nil
}

// listenTopics are the channels the listener LISTENs to.
var listenTopics = []string{TopicCases, TopicConfig}

// listenRetry bounds the wait between two attempts to reconnect.
const listenRetry = 5 * time.Second

// listen keeps a connection LISTENing until ctx ends, handing what it
// hears to the subscribers. After every (re)connection it tells every
// subscriber to resync, and drops this process's configuration cache,
// since notices sent while it was away are lost.
func (db *DB) listen(ctx context.Context) {
	wait := 100 * time.Millisecond
	up := db.events.upChan()
	tries := 0
	for ctx.Err() == nil {
		tries++
		_ = db.listenOnce(ctx, func() {
			wait = 100 * time.Millisecond
			if tries == 1 {
				close(up)
				return
			}
			select {
			case <-up:
			default:
				close(up)
			}
			// Notices sent while away are lost: look again.
			db.configCache.drop()
			db.events.publishAll(Resync)
		})
		// The error is the connection's end; the next attempt says
		// whether the database is back.
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, listenRetry)
	}
}

func (db *DB) listenOnce(ctx context.Context, connected func()) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	c, err := pgx.Connect(cctx, db.dsn)
	cancel()
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = c.Close(cctx)
	}()
	var schema string
	if err := c.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	for _, t := range listenTopics {
		if _, err := c.Exec(ctx, "LISTEN "+pgx.Identifier{t + "." + schema}.Sanitize()); err != nil {
			return err
		}
	}
	connected()
	for {
		n, err := c.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		topic := strings.TrimSuffix(n.Channel, "."+schema)
		if topic == TopicConfig {
			db.configCache.drop()
			db.versions.forgetVersions()
		}
		db.events.publish(topic, n.Payload)
	}
}

// closeEvents stops the listener, if one runs.
func (db *DB) closeEvents() {
	h := &db.events
	h.listen.Do(func() {}) // no listener may start from now on
	if h.stop != nil {
		h.stop()
		<-h.done
	}
}

// caseChanged tells the boards that a case changed, once tx commits.
func (db *DB) caseChanged(ctx context.Context, tx conn, id int64) error {
	return db.notify(ctx, tx, TopicCases, strconv.FormatInt(id, 10))
}
