package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao/calendar"
	"github.com/jiedao/jiedao/casework"
	"github.com/jiedao/jiedao/internal/fixture"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// exportCols are the columns of a case export the tests read.
const (
	colNumber   = 0
	colReporter = 10
	colPhone    = 11
)

// reportAt files a resident's report in a grid at a time, with a contact.
func (e *env) reportAt(at time.Time, grid int64, name, phone string) *casework.Case {
	e.t.Helper()
	e.clock.Set(at)
	c, err := e.cases.Report(context.Background(), org.ResidentActor(name), casework.ReportInput{Category: fixture.CatExposedTrash,
		Details: "垃圾桶满了", GridID: grid, Reporter: casework.Contact{Name: name, Phone: phone}})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// readCSV parses an export, checking its byte order mark.
func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rest, ok := strings.CutPrefix(body, "\uFEFF")
	if !ok {
		t.Fatalf("no byte order mark: %.40q", body)
	}
	rows, err := csv.NewReader(strings.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	return rows
}

// exportAudits are the export.cases entries of the audit trail.
type exportAudit struct {
	Rows   int    `json:"rows"`
	Format string `json:"format"`
	Masked bool   `json:"masked"`
	Query  string `json:"query"`
	Reason string
	Actor  string
}

func exportAudits(t *testing.T, db *store.DB) []exportAudit {
	t.Helper()
	return auditActions(t, db, "export.cases")
}

// auditActions reads the audit trail's entries of an export action.
func auditActions(t *testing.T, db *store.DB, action string) []exportAudit {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT after_json, reason, actor_name FROM audit_log WHERE action = '`+action+`' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []exportAudit
	for rows.Next() {
		var after string
		var a exportAudit
		if err := rows.Scan(&after, &a.Reason, &a.Actor); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(after), &a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCaseExport: the case list's exports hold exactly the filtered
// cases of the exporter's scope, newest first; residents' contacts are
// masked for everyone unless a role that sees them asks with a reason;
// refusals export nothing; every export is on the audit trail.
func TestCaseExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		day := func(h int) time.Time { return time.Date(2024, 6, 10, h, 0, 0, 0, calendar.Zone()) }
		w1a := e.reportAt(day(8), e.fx.GridW1.ID, "王女士", "13812345678")
		w2 := e.reportAt(day(9), e.fx.GridW2.ID, "李先生", "13900001111")
		y1 := e.reportAt(day(10), e.fx.GridY1.ID, "赵阿姨", "13700002222")
		w1b := e.reportAt(day(11), e.fx.GridW1.ID, "钱先生", "13600003333")
		e.clock.Set(day(12))

		numbers := func(rows [][]string) string {
			var out []string
			for _, r := range rows[1:] {
				out = append(out, r[colNumber])
			}
			return strings.Join(out, " ")
		}
		want := func(cs ...*casework.Case) string {
			var out []string
			for _, c := range cs {
				out = append(out, c.Number)
			}
			return strings.Join(out, " ")
		}

		// The grid worker of W1: his grid's cases only, masked.
		gw := e.browser()
		gw.login(e.fx.GridWorker)
		st, body := gw.get("/cases/export.csv")
		if st != http.StatusOK {
			t.Fatalf("grid worker's export: %d %.200s", st, body)
		}
		rows := readCSV(t, body)
		if got := numbers(rows); got != want(w1b, w1a) {
			t.Errorf("grid worker's export: %s, want %s", got, want(w1b, w1a))
		}
		if rows[0][colReporter] != "报告人" || rows[0][colPhone] != "联系电话" || rows[1][colReporter] != "钱**" || rows[1][colPhone] != "136****3333" {
			t.Errorf("grid worker's export: %q", rows[:2])
		}
		// He may not have them in full, reason or not.
		if st, _ := gw.get("/cases/export.csv?contacts=full&reason=" + url.QueryEscape("上门回访核实")); st != http.StatusForbidden {
			t.Errorf("grid worker's full export: %d", st)
		}

		// Only those who may have contacts are offered them on the page.
		if _, body := gw.get("/cases"); strings.Contains(body, `name="contacts"`) || !strings.Contains(body, "/cases/export.csv") {
			t.Error("the grid worker's list offers contacts, or no CSV")
		}
		// The command center: masked by default too, filtered by community.
		d := e.browser()
		d.login(e.fx.Dispatcher)
		if _, body := d.get("/cases"); !strings.Contains(body, `name="contacts" value="full"`) || !strings.Contains(body, `name="reason"`) {
			t.Error("the dispatcher's list offers no export with contacts")
		}
		st, body = d.get("/cases/export.csv?community_id=" + fmt.Sprint(e.fx.Wenhua.ID))
		rows = readCSV(t, body)
		if st != http.StatusOK || numbers(rows) != want(w1b, w2, w1a) {
			t.Fatalf("dispatcher's Wenhua export: %d %s", st, numbers(rows))
		}
		for _, r := range rows[1:] {
			if !strings.Contains(r[colPhone], "****") || !strings.HasSuffix(r[colReporter], "**") {
				t.Errorf("dispatcher's default export shows a contact: %q", r)
			}
		}
		// In full only with a reason of some substance.
		for _, q := range []string{"contacts=full", "contacts=full&reason=++", "contacts=full&reason=x"} {
			if st, body := d.get("/cases/export.csv?" + q); st != http.StatusBadRequest || !strings.Contains(body, "理由") {
				t.Errorf("%s: %d", q, st)
			}
		}
		reason := "逐一电话回访核实处理结果"
		st, body = d.get("/cases/export.csv?contacts=full&reason=" + url.QueryEscape(reason))
		rows = readCSV(t, body)
		if st != http.StatusOK || numbers(rows) != want(w1b, y1, w2, w1a) || rows[4][colReporter] != "王女士" || rows[4][colPhone] != "13812345678" {
			t.Fatalf("dispatcher's full export: %d %q", st, rows)
		}
		// The same rows as XLSX, through the JSON API.
		st, body = d.get("/api/v1/cases/export?format=xlsx&community_id=" + fmt.Sprint(e.fx.Yile.ID))
		if st != http.StatusOK {
			t.Fatalf("API XLSX export: %d %.200s", st, body)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		xrows, err := f.GetRows(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		if len(xrows) != 2 || xrows[0][colNumber] != "编号" || xrows[1][colNumber] != y1.Number || xrows[1][colReporter] != "赵**" || xrows[1][colPhone] != "137****2222" {
			t.Errorf("API XLSX export: %q", xrows)
		}
		if st, body := d.get("/api/v1/cases/export?format=pdf"); st != http.StatusBadRequest || !strings.Contains(body, `"field":"format"`) {
			t.Errorf("a PDF export: %d %s", st, body)
		}

		// A leader sees everything but contacts masked: no full export.
		l := e.browser()
		l.login(e.fx.Leader)
		if st, _ := l.get("/cases/export.xlsx?contacts=full&reason=" + url.QueryEscape(reason)); st != http.StatusForbidden {
			t.Errorf("leader's full export: %d", st)
		}

		// One entry per export made, none for those refused.
		audits := exportAudits(t, db)
		type brief struct {
			actor, format string
			rows          int
			masked        bool
			reason        string
		}
		var got []brief
		for _, a := range audits {
			got = append(got, brief{a.Actor, a.Format, a.Rows, a.Masked, a.Reason})
		}
		wantAudits := []brief{{e.fx.GridWorker.Name, "csv", 2, true, ""}, {e.fx.Dispatcher.Name, "csv", 3, true, ""},
			{e.fx.Dispatcher.Name, "csv", 4, false, reason}, {e.fx.Dispatcher.Name, "xlsx", 1, true, ""}}
		if fmt.Sprint(got) != fmt.Sprint(wantAudits) {
			t.Errorf("audit entries:\n%v\nwant\n%v", got, wantAudits)
		}
		if len(audits) > 1 && audits[1].Query != "community_id="+fmt.Sprint(e.fx.Wenhua.ID) {
			t.Errorf("the filter recorded: %q", audits[1].Query)
		}
	})
}

// firstWrite calls hook when the handler first writes to the response.
type firstWrite struct {
	*httptest.ResponseRecorder
	hook func()
}

func (w *firstWrite) Write(b []byte) (int, error) {
	if h := w.hook; h != nil {
		w.hook = nil
		h()
	}
	return w.ResponseRecorder.Write(b)
}

// TestCaseExportStreams: an export sends its first page before it reads
// the next. At the first byte out, a case is reported that sorts last;
// it is in the file only if the later pages were read after that byte —
// a download built whole before sending, or read in one long query (one
// snapshot), would miss it.
func TestCaseExportStreams(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.cases.ExportPageSize = 2
		var made []*casework.Case
		for i := range 5 {
			made = append(made, e.reportAt(time.Date(2024, 6, 10, 9+i, 0, 0, 0, calendar.Zone()), e.fx.GridW1.ID, "王女士", "13812345678"))
		}
		var out struct {
			Token string `json:"token"`
		}
		resp, err := http.Post(e.url+"/api/v1/login", "application/json",
			strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, e.fx.Dispatcher.Username, fixture.Password)))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
			t.Fatalf("login: %v", err)
		}
		resp.Body.Close()

		var late *casework.Case
		w := &firstWrite{ResponseRecorder: httptest.NewRecorder()}
		w.hook = func() {
			late = e.reportAt(time.Date(2024, 6, 1, 8, 0, 0, 0, calendar.Zone()), e.fx.GridW1.ID, "晚到的", "13000000000")
		}
		r := httptest.NewRequest(http.MethodGet, "/api/v1/cases/export?format=csv", nil)
		r.Header.Set("Authorization", "Bearer "+out.Token)
		e.handler.ServeHTTP(w, r)
		if w.Code != http.StatusOK || late == nil {
			t.Fatalf("export: %d, hook ran %v: %.200s", w.Code, late != nil, w.Body.String())
		}
		rows := readCSV(t, w.Body.String())
		var got []string
		for _, row := range rows[1:] {
			got = append(got, row[colNumber])
		}
		wantNums := []string{made[4].Number, made[3].Number, made[2].Number, made[1].Number, made[0].Number, late.Number}
		if strings.Join(got, " ") != strings.Join(wantNums, " ") {
			t.Fatalf("the export holds %v, want %v: the rows after the first byte were read before it", got, wantNums)
		}
		// Recorded with the count at its start.
		if a := exportAudits(t, db); len(a) != 1 || a[0].Rows != 5 {
			t.Errorf("audit: %+v", a)
		}
	})
}
