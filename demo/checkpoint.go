package demo

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// A build is resumable (store/bulk.go): its options are recorded first,
// the organisation next, then the cases in chunks of chunkSize, each
// committed with its checkpoint, and last the domains' records in one
// phase. Generation is deterministic from the seed, so a build run again
// regenerates every case and stores only the chunks after the last one
// committed: the same cases, numbers and ids as an uninterrupted build.

// chunkSize is the cases of a chunk: one transaction and checkpoint.
const chunkSize = 2000

// buildParams are the options recorded with a build, to resume it with.
type buildParams struct {
	Year    int      `json:"year"`
	Scale   float64  `json:"scale"`
	Seed    uint64   `json:"seed"`
	Now     string   `json:"now,omitempty"` // RFC 3339, nanoseconds
	Volumes *Volumes `json:"volumes,omitempty"`
	Chunk   int      `json:"chunk,omitempty"` // tests' smaller chunks
	// District: a district's build (its other subdistricts in one phase).
	District bool `json:"district,omitempty"`
}

func paramsOf(opt Options) (string, error) {
	p := buildParams{Year: opt.Year, Scale: opt.Scale, Seed: opt.Seed, Volumes: opt.Volumes, Chunk: opt.chunk, District: opt.District}
	if !opt.Now.IsZero() {
		p.Now = opt.Now.Format(time.RFC3339Nano)
	}
	b, err := json.Marshal(p)
	return string(b), err
}

func optionsOf(params string) (Options, error) {
	var p buildParams
	if err := json.Unmarshal([]byte(params), &p); err != nil {
		return Options{}, fmt.Errorf("demo: the build's recorded options: %w", err)
	}
	opt := Options{Year: p.Year, Scale: p.Scale, Seed: p.Seed, Volumes: p.Volumes, chunk: p.Chunk, District: p.District}
	if p.Now != "" {
		now, err := time.Parse(time.RFC3339Nano, p.Now)
		if err != nil {
			return Options{}, fmt.Errorf("demo: the build's recorded time: %w", err)
		}
		opt.Now = now
	}
	return opt, nil
}

// Pending returns the options of the database's unfinished build, to run
// it again with (Generate then continues it), or nil when there is none.
func Pending(ctx context.Context, db *store.DB) (*Options, error) {
	st, err := db.BuildState(ctx)
	if err != nil || st == nil || !st.Started || st.Done() {
		return nil, err
	}
	opt, err := optionsOf(st.Params)
	if err != nil {
		return nil, err
	}
	return &opt, nil
}

// begin records a new build, or checks that opt is the build to resume.
// It returns the checkpoints (nil for a new build).
func begin(ctx context.Context, db *store.DB, opt Options) (*store.BuildState, error) {
	params, err := paramsOf(opt)
	if err != nil {
		return nil, err
	}
	st, err := db.BuildState(ctx)
	if err != nil {
		return nil, err
	}
	if st == nil || !st.Started {
		return nil, db.StartBuild(ctx, params)
	}
	if st.Done() {
		return nil, jiedao.Invalid("db", "数据库中的演示数据已生成完毕", "the database's demo build is finished already")
	}
	if st.Params != params {
		return nil, jiedao.Invalid("db", "数据库中有未完成的演示数据生成，参数不同："+st.Params,
			"the database holds an unfinished build with other options: "+st.Params)
	}
	if !st.Phases["org"] {
		return nil, jiedao.Invalid("db", "上次生成在组织架构建成前中断，请删除数据库后重新生成",
			"the last build stopped before its organisation was built: delete the database and build again")
	}
	return st, nil
}

// scratchOrg opens a new, migrated SQLite database in a temporary
// directory, in which a resumed build makes its organisation again: the
// same draws give the same rows with the same ids as the first run made
// in the build's database (checked by sameOrg), and the generator reads
// its configuration from it.
func scratchOrg(ctx context.Context) (*store.DB, func(), error) {
	dir, err := os.MkdirTemp("", "jiedao-resume-")
	if err != nil {
		return nil, nil, err
	}
	db, err := store.Open(ctx, filepath.Join(dir, "org.db"))
	if err == nil {
		_, err = db.Migrate(ctx)
		if err != nil {
			db.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }, nil
}

// sameOrg checks that the organisation made again is the build's.
func sameOrg(ctx context.Context, build, again *store.DB) error {
	a, err := build.OrgFingerprint(ctx)
	if err != nil {
		return err
	}
	b, err := again.OrgFingerprint(ctx)
	if err != nil {
		return err
	}
	if a != b {
		return fmt.Errorf("demo: resume: the organisation made again differs from the build's (%s, not %s)", b, a)
	}
	return nil
}

// progress prints the cases stored, their rate over this run and the
// time left, at most every interval.
type progress struct {
	w             io.Writer
	total, stored int
	skipped       int // stored by an earlier run
	start, last   time.Time
	interval      time.Duration
}

func newProgress(w io.Writer, total int) *progress {
	now := time.Now()
	return &progress{w: w, total: total, start: now, last: now, interval: 5 * time.Second}
}

// add counts n cases stored now (or before, when skipped), printing a
// line when the interval has passed or at the end.
func (p *progress) add(n int, skipped bool) {
	if p == nil || p.w == nil {
		return
	}
	now := time.Now()
	if !skipped && p.skipped > 0 && p.stored == p.skipped {
		fmt.Fprintf(p.w, "  续建 / resuming: %d cases stored by earlier runs, writing from there\n", p.skipped)
	}
	p.stored += n
	if skipped {
		p.skipped += n
		p.start = now // the rate counts this run's writing only
	}
	if now.Sub(p.last) < p.interval && p.stored < p.total {
		return
	}
	p.last = now
	p.w.Write([]byte(p.line(now)))
}

func (p *progress) line(now time.Time) string {
	el := now.Sub(p.start)
	done := p.stored - p.skipped
	pct := 100 * float64(p.stored) / float64(max(p.total, 1))
	const width = 30
	bar := strings.Repeat("█", int(pct/100*width)) + strings.Repeat("·", width-int(pct/100*width))
	rate := float64(done) / el.Seconds()
	eta := "—"
	if rate > 0 && p.stored < p.total {
		eta = (time.Duration(float64(p.total-p.stored)/rate) * time.Second).Round(time.Second).String()
	}
	if p.stored < p.total && done == 0 {
		return fmt.Sprintf("  [%s] %5.1f%% 已存 / stored %d / %d cases (earlier runs), regenerating to the last checkpoint…\n", bar, pct, p.stored, p.total)
	}
	return fmt.Sprintf("  [%s] %5.1f%% 已存 / stored %d / %d cases, %.0f cases/s, 剩余 / ETA %s\n", bar, pct, p.stored, p.total, rate, eta)
}

// phase is a step of the build after its cases.
type phase struct {
	name string
	// atomic: written in one transaction with its checkpoint; else the
	// checkpoint follows it, and a run interrupted inside it cannot be
	// resumed (the phase takes seconds, after every case is stored).
	atomic bool
	run    func(ctx context.Context, db *store.DB) error
}

// finish runs the phases not done yet on the build's database, then
// records the build done. A phase done by an earlier run is made again in
// the resumed run's scratch database (again), for what it leaves in the
// generator's memory (its staff, its draws), so that the phases after it
// are made as in an uninterrupted build.
func finish(ctx context.Context, build, again *store.DB, resume *store.BuildState, phases []phase) error {
	for _, p := range phases {
		if resume != nil && resume.Phases[p.name] {
			if err := p.run(ctx, again); err != nil {
				return fmt.Errorf("demo: %s (made again): %w", p.name, err)
			}
			continue
		}
		if resume != nil && resume.Phases[p.name+" begun"] {
			return jiedao.Invalid("db", "上次生成在“"+p.name+"”阶段中断，无法续建，请删除数据库后重新生成",
				"the last build stopped inside its "+p.name+" phase, which cannot be resumed: delete the database and build again")
		}
		var err error
		if p.atomic {
			err = build.BulkPhase(ctx, p.name, func(ctx context.Context) error { return p.run(ctx, build) })
		} else if err = build.Checkpoint(ctx, p.name+" begun"); err == nil {
			if err = p.run(ctx, build); err == nil {
				err = build.Checkpoint(ctx, p.name)
			}
		}
		if err != nil {
			return fmt.Errorf("demo: %s: %w", p.name, err)
		}
	}
	return build.Checkpoint(ctx, "done")
}

// sortPlans orders plans by report time, keeping the order of plans
// reported at the same time: as sort.SliceStable does, but in O(n log n)
// (SliceStable's in-place merges cost a fifth of a city-year build's
// CPU).
func sortPlans(plans []casePlan) {
	idx := make([]int32, len(plans))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		if c := plans[a].at.Compare(plans[b].at); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	sorted := make([]casePlan, len(plans))
	for i, j := range idx {
		sorted[i] = plans[j]
	}
	copy(plans, sorted)
}

// fixedPlaces is the organisation's grids for the generator: they do not
// change while a year is generated, so their version is not read again
// for each of millions of cases (a fifth of a city-year's CPU).
type fixedPlaces struct{ org.PlaceSource }

func (fixedPlaces) PlacesVersion(context.Context) (int64, error) { return 1, nil }

func eventsOf(b []store.CaseHistory) int64 {
	n := 0
	for _, h := range b {
		n += len(h.Events)
	}
	return int64(n)
}
