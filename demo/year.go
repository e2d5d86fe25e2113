package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/geo"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// Options choose the year to generate.
type Options struct {
	Year  int
	Scale float64 // 1 is a Gudang-sized year; 0.01 a quick test; 100 a city
	Seed  uint64
	// Volumes overrides the calibrated volumes (for tests that must not
	// echo the calibration); nil uses Calibrated(Scale).
	Volumes *Volumes
	// Now, when set, also builds the year of Now up to Now (current.go):
	// old cases closed, recent ones still open, every state of the loop
	// with cases at Now. Zero builds Year alone.
	Now time.Time
	// District builds a district (西湖区) with Gudang and the other
	// subdistricts of district.go, each with its year; Gudang's is the
	// same as without it.
	District bool
	// afterChunk, when set, is called after each chunk of cases is
	// committed (tests interrupt a build there).
	afterChunk func(chunk int)
	// chunk, when set, is the cases of a chunk (chunkSize otherwise).
	chunk int
}

// Volumes are the numbers of cases to generate per channel that end in the
// counted outcome (signed, handled, dispatched), and the rated cases of
// the Xihu code with how many of them were satisfied.
type Volumes struct {
	XihuSigned, XihuRated, XihuSatisfied int
	PinganHandled, GridHandled           int
	IoTDispatched, PoliceHandled         int
	Hotline, Enterprise                  int
}

// Calibrated returns the volumes that reproduce the 2023 figures of the
// Gudang work report (shared/seed/figures.tsv) at scale 1: 西湖码 signed
// 4317 with 98.63% satisfied (3600 of 3650 rated), 平安通 34536, 网格通
// 7915, 智慧三件套 12657, 警网协同 6233.
func Calibrated(scale float64) Volumes {
	n := func(v int) int { return int(math.Round(float64(v) * scale)) }
	return Volumes{
		XihuSigned: n(4317), XihuRated: n(3650), XihuSatisfied: n(3600),
		PinganHandled: n(34536), GridHandled: n(7915), IoTDispatched: n(12657), PoliceHandled: n(6233),
		Hotline: n(2400), Enterprise: n(691),
	}
}

// Summary says what was generated.
type Summary struct {
	Cases, Events int
	PerChannel    map[casework.Channel]int
	// Current is how many of the cases are of the current year (Now's),
	// built up to Now; CurrentYear is that year, 0 when none was built.
	Current, CurrentYear int
	Took                 time.Duration
}

// generator holds what a year's generation needs.
type generator struct {
	g       *Gudang
	svc     *casework.Service
	cal     *calendar.Calendar
	cats    map[string]*casework.Category
	rng     *rand.Rand
	clients map[casework.Channel]org.Actor
	year    int
	spots   []hotspot
	// cutoff, when set, is now: no step of a case is taken at or after it
	// (current.go).
	cutoff time.Time
	// jurisdiction, in a district, is the subdistrict whose cases these
	// are: the residents and machine clients report into it.
	jurisdiction int64
	// salt tells another subdistrict's random streams from Gudang's (0):
	// the current year's too (district.go).
	salt uint64
	// externalIDs are the channels' ids given so far (externalID).
	externalIDs map[string]bool
}

// Generate builds the Gudang organisation in an empty, migrated database
// and a year of cases in it. Each case is taken through the real case loop
// (casework.Service.NewReport and TakeStep, the deadline job's marks) in
// memory, then stored in bulk with its events.
func Generate(ctx context.Context, db *store.DB, opt Options, progress io.Writer) (*Summary, error) {
	start := time.Now()
	if opt.Year < 2000 || opt.Year > 2100 {
		return nil, jiedao.Invalid("year", "年份无效", "invalid year")
	}
	if opt.Scale <= 0 || opt.Scale > 1000 {
		return nil, jiedao.Invalid("scale", "规模应在0到1000之间", "scale must be between 0 and 1000")
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	// A build in chunks with checkpoints (checkpoint.go): resumed, its
	// organisation is made again in a scratch database, from which the
	// generator reads; its rows are the build's (sameOrg).
	resume, err := begin(ctx, db, opt)
	if err != nil {
		return nil, err
	}
	if err := db.BulkSettings(ctx); err != nil {
		return nil, err
	}
	build := db
	if resume != nil {
		scratch, done, err := scratchOrg(ctx)
		if err != nil {
			return nil, err
		}
		defer done()
		db = scratch
	}
	spec := gudangSpec
	var district *org.Jurisdiction
	if opt.District {
		if district, spec, err = createDistrict(ctx, db); err != nil {
			return nil, fmt.Errorf("demo: district: %w", err)
		}
	}
	g, err := buildSubdistrict(ctx, db, rng, spec, true)
	if err != nil {
		return nil, fmt.Errorf("demo: organisation: %w", err)
	}
	calStore := db.Calendar(calendar.DefaultWorkingHours())
	if _, err := calStore.SeedOfficial(ctx); err != nil {
		return nil, err
	}
	cal, err := calStore.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	gen := &generator{g: g, cal: cal, rng: rng, year: opt.Year, cats: map[string]*casework.Category{}, externalIDs: map[string]bool{},
		clients: map[casework.Channel]org.Actor{}}
	if opt.District {
		gen.jurisdiction = g.Jurisdiction.ID
	}
	for _, c := range g.Categories {
		gen.cats[c.Code] = c
	}
	auth := &org.Auth{Store: db.Org(), Now: func() time.Time { return time.Date(opt.Year, 1, 1, 0, 0, 0, 0, calendar.Zone()) }}
	for _, cl := range []struct {
		name string
		ch   casework.Channel
	}{{"智慧三件套告警平台", casework.ChannelIoT}, {"警网协同平台（古荡派出所）", casework.ChannelPolice},
		{"12345 市长热线", casework.ChannelHotline}, {"平安通", casework.ChannelPingan}, {"西湖企服平台", casework.ChannelEnterprise}} {
		_, client, err := auth.CreateAPIClient(ctx, cl.name, string(cl.ch))
		if err != nil {
			return nil, err
		}
		gen.clients[cl.ch] = org.ClientActor(client)
	}
	if resume != nil {
		if err := sameOrg(ctx, build, db); err != nil {
			return nil, err
		}
	} else if err := build.Checkpoint(ctx, "org"); err != nil {
		return nil, err
	}
	rules, err := db.Cases().ListRoutingRules(ctx)
	if err != nil {
		return nil, err
	}
	config := &fixedConfig{Store: db.Cases(), rules: rules, cats: gen.cats}
	gen.svc = &casework.Service{Store: config, Units: db.Org(), Calendars: calStore, CalendarEdit: calStore,
		Places: org.NewPlaces(fixedPlaces{db.Org()}), Now: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	gen.spots = gen.hotspots()

	vol := Calibrated(opt.Scale)
	if opt.Volumes != nil {
		vol = *opt.Volumes
	}
	plans := gen.plan(vol)
	sum := &Summary{PerChannel: map[casework.Channel]int{}}
	if plans, err = gen.withCurrentYear(ctx, plans, opt, vol, sum); err != nil {
		return nil, err
	}
	// Gudang's cases in chunks, each with its checkpoint; a resumed build
	// skips the chunks stored before.
	chunks := &chunking{last: -1, after: opt.afterChunk, size: opt.chunk}
	if resume != nil {
		chunks.last, chunks.stored = resume.LastChunk, resume.ChunkEvents
	}
	if err := gen.writeYear(ctx, build, plans, sum, progress, chunks); err != nil {
		return nil, err
	}
	// The domains' records, a phase each with its checkpoint (finish).
	phases := []phase{
		{"enterprises", true, func(ctx context.Context, db *store.DB) error {
			return generateEnterprises(ctx, db, g, opt, GudangEnterprises)
		}},
		// Books read back what they write: not in one transaction.
		{"books", false, func(ctx context.Context, db *store.DB) error {
			return generateBooks(ctx, db, gen, opt.Seed) // demo/books.go: ledgers, indicators, targets, campaigns
		}},
		{"kinds", true, func(ctx context.Context, db *store.DB) error {
			return gen.generateKinds(ctx, db, CalibratedKinds()) // demo/kinds.go
		}},
	}
	if district != nil {
		// The other subdistricts and their years (demo/district.go): one
		// phase, not resumable from inside (a district's demo is small).
		phases = append(phases, phase{"district", false, func(ctx context.Context, db *store.DB) error {
			return gen.generateDistrict(ctx, db, district, opt, vol, sum, progress)
		}})
	}
	if err := finish(ctx, build, db, resume, phases); err != nil {
		return nil, err
	}
	// The case list's text search index, as serve's job would build it
	// (store/search.go): the demo serves right after.
	if _, err := db.IndexSearch(ctx); err != nil {
		return nil, fmt.Errorf("demo: search index: %w", err)
	}
	// Statistics and visibility for what was loaded, as a DBA would after
	// a bulk load (store.Settle).
	if err := db.Settle(ctx); err != nil {
		return nil, fmt.Errorf("demo: settle: %w", err)
	}
	sum.Took = time.Since(start)
	return sum, nil
}

// chunking is how writeYear stores a build's cases: in chunks committed
// each with its checkpoint, skipping those an earlier run stored (chunk
// numbers up to last). nil: plain bulk imports, no checkpoint (the other
// subdistricts of a district, inside the district's phase).
type chunking struct {
	last  int
	after func(chunk int)
	size  int
	// stored are the events each chunk stored by an earlier run stored,
	// which the chunk made again must have.
	stored map[int]int64
}

// writeYear takes the planned cases through their lives and stores them.
// The loop runs in memory on one core while the chunks before it are
// written on the other.
func (gen *generator) writeYear(ctx context.Context, db *store.DB, plans []casePlan, sum *Summary, progress io.Writer, ch *chunking) error {
	last := -1
	size := chunkSize
	if ch != nil {
		last = ch.last
		if ch.size > 0 {
			size = ch.size
		}
	}
	bar := newProgress(progress, len(plans))
	batches := make(chan []store.CaseHistory, 2)
	written := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		var err error
		k := 0
		for b := range batches {
			switch {
			case err != nil:
			case k <= last:
				// Stored before: the chunk made again must be that one.
				if n := eventsOf(b); n != ch.stored[k] {
					err = fmt.Errorf("demo: resume: chunk %d made again has %d events, %d were stored: the generator changed since; build on an empty database", k, n, ch.stored[k])
					close(stop)
					break
				}
				bar.add(len(b), true)
			default:
				if ch != nil {
					err = db.Cases().ImportChunk(ctx, k, b)
				} else {
					err = db.Cases().ImportCases(ctx, b)
				}
				if err != nil {
					close(stop)
					break
				}
				bar.add(len(b), false)
				if ch != nil && ch.after != nil {
					ch.after(k)
				}
			}
			k++
		}
		written <- err
	}()
	batch := make([]store.CaseHistory, 0, size)
	var genErr error
	send := func(b []store.CaseHistory) bool {
		select {
		case batches <- b:
			return true
		case <-stop:
			return false
		}
	}
generate:
	for i, p := range plans {
		if err := ctx.Err(); err != nil {
			genErr = err
			break
		}
		h, err := gen.live(ctx, p)
		if err != nil {
			genErr = fmt.Errorf("demo: case %d (%s): %w", i, p.channel, err)
			break
		}
		sum.Cases++
		sum.Events += len(h.Events)
		sum.PerChannel[p.channel]++
		batch = append(batch, h)
		if len(batch) == size {
			if !send(batch) {
				break generate
			}
			batch = make([]store.CaseHistory, 0, size)
		}
	}
	if genErr == nil && len(batch) > 0 {
		send(batch)
	}
	close(batches)
	if err := <-written; err != nil {
		return err
	}
	return genErr
}

// fixedConfig is the case store with the categories and routing rules the
// demo made held in memory: they do not change while a year is generated,
// and reading them from the database for each of 70,000 reports would be
// most of the work.
type fixedConfig struct {
	casework.Store
	rules []casework.RoutingRule
	cats  map[string]*casework.Category
}

func (f *fixedConfig) ListRoutingRules(context.Context) ([]casework.RoutingRule, error) {
	return f.rules, nil
}

func (f *fixedConfig) GetCategory(_ context.Context, code string) (*casework.Category, error) {
	if c := f.cats[code]; c != nil {
		return c, nil
	}
	return nil, jiedao.NotFound("问题分类", "category")
}

// outcome is how a planned case ends.
type outcome int

const (
	endClosed   outcome = iota // the whole loop
	endRejected                // 不予受理
	endVoided                  // a duplicate, voided
	endHung                    // booked as unsolvable for now
)

// casePlan is one case to generate.
type casePlan struct {
	channel  casework.Channel
	at       time.Time
	category string
	outcome  outcome
	rating   casework.Rating // "" for unrated
	// unhappyFirst: rated unsatisfied first, reopened, then rated rating.
	unhappyFirst bool
	// For the current year (current.go): the generator of that year, the
	// last step to take, or the history already made.
	by    *generator
	until casework.Action
	done  *store.CaseHistory
}

// plan decides every case of the year: how many per channel and outcome,
// and when each is reported.
func (gen *generator) plan(v Volumes) []casePlan {
	var plans []casePlan
	add := func(ch casework.Channel, n int, oc outcome) {
		for i := 0; i < n; i++ {
			plans = append(plans, casePlan{channel: ch, outcome: oc})
		}
	}
	extra := func(n int, share float64) int { return int(math.Round(float64(n) * share)) }
	add(casework.ChannelXihuCode, v.XihuSigned, endClosed)
	add(casework.ChannelXihuCode, extra(v.XihuSigned, 0.03), endRejected)
	add(casework.ChannelXihuCode, extra(v.XihuSigned, 0.02), endVoided)
	add(casework.ChannelPingan, v.PinganHandled, endClosed)
	add(casework.ChannelPingan, extra(v.PinganHandled, 0.015), endRejected)
	add(casework.ChannelGrid, v.GridHandled, endClosed)
	add(casework.ChannelGrid, extra(v.GridHandled, 0.01), endVoided)
	add(casework.ChannelIoT, v.IoTDispatched, endClosed)
	add(casework.ChannelIoT, extra(v.IoTDispatched, 0.12), endRejected) // false alarms, cleared on the spot
	add(casework.ChannelPolice, v.PoliceHandled, endClosed)
	add(casework.ChannelPolice, extra(v.PoliceHandled, 0.02), endRejected)
	add(casework.ChannelHotline, v.Hotline, endClosed)
	add(casework.ChannelHotline, extra(v.Hotline, 0.01), endHung)
	add(casework.ChannelHotline, extra(v.Hotline, 0.04), endRejected)
	add(casework.ChannelEnterprise, v.Enterprise, endClosed)

	// Ratings of the Xihu code: exactly XihuRated closed cases rated, of
	// which XihuSatisfied 满意 or 基本满意; some of the satisfied ones were
	// unsatisfied first and reopened.
	var xihuClosed []int
	for i, p := range plans {
		if p.channel == casework.ChannelXihuCode && p.outcome == endClosed {
			xihuClosed = append(xihuClosed, i)
		}
	}
	gen.rng.Shuffle(len(xihuClosed), func(a, b int) { xihuClosed[a], xihuClosed[b] = xihuClosed[b], xihuClosed[a] })
	for k, i := range xihuClosed {
		switch {
		case k < v.XihuSatisfied:
			plans[i].rating = casework.RatingSatisfied
			if gen.rng.Float64() < 0.12 {
				plans[i].rating = casework.RatingBasic
			}
			plans[i].unhappyFirst = gen.rng.Float64() < 0.01
		case k < v.XihuRated:
			plans[i].rating = casework.RatingUnsatisfied
		}
	}
	for i := range plans {
		p := &plans[i]
		p.at = gen.reportTime(p.channel)
		p.category = gen.category(p.channel)
	}
	sortPlans(plans)
	return plans
}

// weighted picks a key by weight.
func weighted[K any](rng *rand.Rand, keys []K, weights []float64) K {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x < w {
			return keys[i]
		}
		x -= w
	}
	return keys[len(keys)-1]
}

// categoryMix is what each channel reports, with weights.
var categoryMix = map[casework.Channel]struct {
	codes   []string
	weights []float64
}{
	casework.ChannelXihuCode:   {[]string{"0101", "0103", "0104", "0105", "0201", "0202", "0203", "0204", "0301", "0302", "0303", "0402", "0601", "0602"}, []float64{14, 8, 6, 5, 9, 7, 10, 8, 4, 6, 4, 9, 3, 7}},
	casework.ChannelPingan:     {[]string{"0403", "0404", "0504", "0401", "0402", "0405", "0203", "0304"}, []float64{30, 12, 22, 8, 10, 6, 10, 2}},
	casework.ChannelGrid:       {[]string{"0101", "0102", "0104", "0105", "0201", "0202", "0203", "0204", "0301", "0302", "0303", "0403", "0404", "0504"}, []float64{12, 6, 8, 8, 9, 8, 12, 8, 3, 4, 3, 10, 4, 5}},
	casework.ChannelIoT:        {[]string{"0501", "0502", "0503"}, []float64{45, 15, 40}},
	casework.ChannelPolice:     {[]string{"0401", "0402", "0405", "0602", "0603"}, []float64{38, 30, 18, 9, 5}},
	casework.ChannelHotline:    {[]string{"0101", "0203", "0302", "0402", "0601", "0602", "0603", "0303"}, []float64{10, 10, 8, 22, 12, 20, 10, 8}},
	casework.ChannelEnterprise: {[]string{"0604"}, []float64{1}},
}

func (gen *generator) category(ch casework.Channel) string {
	m := categoryMix[ch]
	return weighted(gen.rng, m.codes, m.weights)
}

// hourWeights is the rhythm of a day per channel.
var hourWeights = map[casework.Channel][24]float64{
	casework.ChannelXihuCode:   {1, .5, .3, .2, .2, .4, 1, 3, 6, 8, 8, 7, 5, 5, 6, 6, 6, 6, 7, 8, 8, 6, 4, 2},
	casework.ChannelPingan:     {1, .5, .3, .2, .2, .5, 2, 4, 7, 8, 8, 7, 5, 6, 7, 7, 7, 6, 5, 5, 4, 3, 2, 1},
	casework.ChannelGrid:       {0, 0, 0, 0, 0, 0, .2, 2, 9, 10, 10, 8, 2, 3, 9, 10, 9, 5, 1, 0, 0, 0, 0, 0},
	casework.ChannelIoT:        {6, 5, 4, 3, 3, 2, 2, 3, 3, 3, 3, 4, 5, 4, 3, 3, 4, 5, 7, 8, 9, 9, 8, 7},
	casework.ChannelPolice:     {4, 3, 2, 1, 1, 1, 2, 3, 5, 6, 6, 6, 5, 5, 6, 6, 6, 7, 8, 9, 9, 8, 7, 5},
	casework.ChannelHotline:    {.3, .1, .1, .1, .1, .2, .5, 2, 7, 9, 9, 8, 4, 6, 8, 8, 8, 6, 3, 2, 2, 1, 1, .5},
	casework.ChannelEnterprise: {0, 0, 0, 0, 0, 0, 0, 1, 6, 9, 9, 7, 2, 5, 9, 9, 8, 4, 1, 0, 0, 0, 0, 0},
}

// dayWeight is the rhythm of the year: seasons, weekends, holidays and the
// Spring Festival, by channel.
func (gen *generator) dayWeight(ch casework.Channel, day time.Time) float64 {
	w := 1.0
	switch day.Month() {
	case time.June, time.July, time.August:
		w *= 1.15 // summer: noise, rubbish, night markets
	case time.January, time.February:
		w *= 0.9
	}
	working := gen.cal.IsWorkingDay(day)
	listed, isListed := gen.cal.Lookup(day)
	festival := isListed && listed.Kind == calendar.Off && listed.Name == "春节"
	switch ch {
	case casework.ChannelGrid, casework.ChannelEnterprise:
		if !working {
			w *= 0.08 // patrols and enterprise service keep office days
		}
	case casework.ChannelIoT:
		if festival {
			w *= 1.3 // fireworks and heaters
		}
	default:
		if !working {
			w *= 0.75
		}
	}
	if festival && ch != casework.ChannelIoT {
		w *= 0.45
	}
	return w
}

// reportTime draws when a case of the channel is reported.
func (gen *generator) reportTime(ch casework.Channel) time.Time {
	z := calendar.Zone()
	start := time.Date(gen.year, 1, 1, 0, 0, 0, 0, z)
	end := time.Date(gen.year+1, 1, 1, 0, 0, 0, 0, z)
	if !gen.cutoff.IsZero() && gen.cutoff.Before(end) {
		end = gen.cutoff // the current year: up to now
	}
	days := math.Ceil(end.Sub(start).Hours() / 24)
	hw := hourWeights[ch]
	maxDay := 1.5 * 1.3
	for {
		d := start.AddDate(0, 0, gen.rng.IntN(int(days)))
		if gen.rng.Float64()*maxDay > gen.dayWeight(ch, d) {
			continue
		}
		hours := make([]int, 24)
		for i := range hours {
			hours[i] = i
		}
		h := weighted(gen.rng, hours, hw[:])
		at := d.Add(time.Duration(h)*time.Hour + time.Duration(gen.rng.IntN(3600))*time.Second)
		if !at.Before(end) {
			continue // later today than now
		}
		return at
	}
}

// hotspot is a place where cases gather: markets, schools, old estates,
// the night-food street.
type hotspot struct {
	p      geo.Point
	weight float64
	spread float64 // degrees
}

func (gen *generator) hotspots() []hotspot {
	var out []hotspot
	// One or two per community, placed deterministically inside a grid.
	for k, c := range gen.g.Communities {
		grids := gen.g.gridsOf(c.ID)
		for j := 0; j < 1+k%2; j++ {
			center := gen.g.Centers[grids[(k*3+j*5)%len(grids)].ID]
			out = append(out, hotspot{p: center, weight: 1 + float64((k*7+j)%4), spread: 0.0012})
		}
	}
	return out
}

// location draws where a case is.
func (gen *generator) location() geo.Point {
	if gen.rng.Float64() < 0.6 {
		ws := make([]float64, len(gen.spots))
		for i, s := range gen.spots {
			ws[i] = s.weight
		}
		s := weighted(gen.rng, gen.spots, ws)
		return geo.Point{Lon: s.p.Lon + gen.rng.NormFloat64()*s.spread, Lat: s.p.Lat + gen.rng.NormFloat64()*s.spread*0.8}
	}
	sd := gen.g.spec
	return geo.Point{Lon: sd.lon + gen.rng.Float64()*sd.width, Lat: sd.lat + gen.rng.Float64()*sd.height}
}
