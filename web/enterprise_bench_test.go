package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jiedao/jiedao/api"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
	"github.com/jiedao/jiedao/web"
)

// BenchmarkEnterpriseEconomy measures the building economy at a city
// district's size: importing 100,000 enterprises and their 1.2 million
// monthly tax rows (a year of the tax bureau's extract) through the real
// import (CSV parsed, every row checked, one transaction), recomputing
// every building's tiers for the year, and the building-economy
// dashboard's latency (the page as a leader gets it), first and p95 of
// 200 requests. It prints its figures; docs/benchmarks.md records them.
//
//	go test ./web/ -run '^$' -bench EnterpriseEconomy -benchtime 1x -timeout 60m
//
// JIEDAO_BENCH_ENTERPRISES sets the number of enterprises (default
// 100000); JIEDAO_BENCH_ENGINE=postgres runs it on JIEDAO_TEST_POSTGRES.
func BenchmarkEnterpriseEconomy(b *testing.B) {
	n := 100_000
	if v := os.Getenv("JIEDAO_BENCH_ENTERPRISES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	engine := store.SQLite
	if os.Getenv("JIEDAO_BENCH_ENGINE") == "postgres" {
		engine = store.Postgres
	}
	ctx := context.Background()
	db := testdb.Open(b, engine)
	svc := &enterprise.Service{Store: db.Enterprises(), Now: func() time.Time { return time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC) }}
	sys := org.SystemActor()
	code := func(i int) string {
		const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
		c := []byte("91330106MA0000000")
		for k := 16; k >= 10 && i > 0; k-- {
			c[k] = alphabet[i%31]
			i /= 31
		}
		ch, _ := enterprise.CheckChar(string(c))
		return string(c) + string(ch)
	}
	report := func(name, unit string, d time.Duration, rows int) {
		fmt.Printf("%-34s %10.2f s  %9d rows  %9.0f rows/s\n", name, d.Seconds(), rows, float64(rows)/d.Seconds())
		b.ReportMetric(d.Seconds(), unit)
	}
	b.ResetTimer()
	for range b.N {
		// Enterprises.
		var buf bytes.Buffer
		buf.WriteString("统一社会信用代码,企业名称,成立日期,标签,企服平台入驻日期\n")
		for i := 1; i <= n; i++ {
			tag := ""
			if i%5000 == 0 {
				tag = "总部企业"
			}
			fmt.Fprintf(&buf, "%s,杭州测试%06d有限公司,2015-%02d-%02d,%s,2022-01-01\n", code(i), i, 1+i%12, 1+i%28, tag)
		}
		t0 := time.Now()
		res, err := svc.Import(ctx, sys, enterprise.ImportEnterprises, buf.Bytes(), false)
		if err != nil || res.Created != n {
			b.Fatalf("import enterprises: %v %+v", err, res)
		}
		report("import enterprises (CSV)", "import-enterprises-s", time.Since(t0), n)

		// Buildings, rooms and tenancies: 300 buildings of 100 rooms, 60 %
		// of the enterprises tenants (not measured).
		const buildings, rooms = 300, 100
		ids, err := db.Enterprises().EnterpriseIDs(ctx, func() []string {
			var cs []string
			for i := 1; i <= n; i++ {
				cs = append(cs, code(i))
			}
			return cs
		}(), 0)
		if err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		err = db.Atomic(ctx, func(ctx context.Context) error {
			tenant := 1
			for k := 0; k < buildings; k++ {
				bld := &enterprise.Building{Name: fmt.Sprintf("测试楼宇%03d", k), FloorArea: float64(5000 + 100*k), Floors: 20,
					Lat: 30.27 + float64(k%20)*0.001, Lon: 120.10 + float64(k/20)*0.001}
				if err := db.Enterprises().SaveBuilding(ctx, bld); err != nil {
					return err
				}
				for r := 0; r < rooms && tenant <= n*6/10; r++ {
					room := &enterprise.Room{BuildingID: bld.ID, Floor: 1 + r/5, Number: fmt.Sprintf("%d%02d", 1+r/5, r%5), Area: 50}
					if err := db.Enterprises().SaveRoom(ctx, room); err != nil {
						return err
					}
					t := &enterprise.Tenancy{EnterpriseID: ids[code(tenant)], RoomID: room.ID, Start: "2020-01-01"}
					if tenant%50 == 0 { // some moved in mid-year
						t.Start = "2023-07-01"
					}
					if err := db.Enterprises().AddTenancy(ctx, t); err != nil {
						return err
					}
					tenant += 1
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		fmt.Printf("%-34s %10.2f s  (set-up, not an import)\n", "buildings, rooms, tenancies", time.Since(t0).Seconds())

		// A year of monthly tax: 12 rows per enterprise.
		buf.Reset()
		buf.WriteString("统一社会信用代码,所属期,税额\n")
		for i := 1; i <= n; i++ {
			c := code(i)
			for m := 1; m <= 12; m++ {
				fmt.Fprintf(&buf, "%s,2023-%02d,%d.%02d\n", c, m, (i*7919+m*104729)%200000, i%100)
			}
		}
		t0 = time.Now()
		res, err = svc.Import(ctx, sys, enterprise.ImportTax, buf.Bytes(), false)
		if err != nil || res.Created != n*12 {
			b.Fatalf("import tax: %v", err)
		}
		report("import monthly tax (CSV)", "import-tax-s", time.Since(t0), n*12)
		buf = bytes.Buffer{}

		// Recomputing every building's tiers for the year.
		var took []time.Duration
		var years []enterprise.BuildingYear
		for range 3 {
			t0 = time.Now()
			years, err = svc.ComputeTiersNow(ctx, 2023)
			if err != nil {
				b.Fatal(err)
			}
			took = append(took, time.Since(t0))
		}
		sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
		tiered := 0
		for _, y := range years {
			if y.Tier != "" {
				tiered++
			}
		}
		report(fmt.Sprintf("recompute tiers (%d buildings)", len(years)), "tiers-s", took[1], n*12)
		fmt.Printf("%-34s %d of %d buildings in a tier\n", "", tiered, len(years))

		// The dashboard as a leader gets it.
		h := web.New(web.Handler{Cases: &casework.Service{Store: db.Cases(), Now: time.Now}, Enterprises: svc,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		leader := org.Actor{Kind: org.ActorStaff, ID: 1, Role: org.RoleLeader, Name: "领导"}
		get := func() time.Duration {
			req := httptest.NewRequest(http.MethodGet, "/buildings/economy?year=2023", nil).WithContext(api.WithActor(ctx, leader))
			rec := httptest.NewRecorder()
			t0 := time.Now()
			h.Economy(rec, req)
			d := time.Since(t0)
			if rec.Code != http.StatusOK {
				b.Fatalf("dashboard: %d %.300s", rec.Code, rec.Body.String())
			}
			return d
		}
		first := get()
		var lat []time.Duration
		for range 200 {
			lat = append(lat, get())
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p95 := lat[len(lat)*95/100]
		fmt.Printf("%-34s first %.1f ms (computes both years), then p50 %.1f ms, p95 %.1f ms over %d requests\n", "building dashboard",
			ms(first), ms(lat[len(lat)/2]), ms(p95), len(lat))
		b.ReportMetric(ms(p95), "dashboard-p95-ms")
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
