package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

// TestEnterprisePages: the lists the figures drill down to show exactly
// their records and export them to XLSX; contacts are masked for a
// leader; the visit form records a visit and turns a demand into a case
// of the enterprise channel linked to the enterprise.
func TestEnterprisePages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st := db.Enterprises()
		ctx := t.Context()
		mk := func(code, name string, cert bool) *enterprise.Enterprise {
			x := &enterprise.Enterprise{CreditCode: code, Name: name, Status: enterprise.StatusActive, ContactName: "张三丰", ContactPhone: "13812345678"}
			if err := st.SaveEnterprise(ctx, x); err != nil {
				t.Fatal(err)
			}
			if cert {
				if err := st.AddCertification(ctx, &enterprise.Certification{EnterpriseID: x.ID, Kind: enterprise.CertHighTech, AwardedOn: "2023-05-01"}); err != nil {
					t.Fatal(err)
				}
			}
			return x
		}
		a := mk("91350100M000100Y43", "杭州甲科技有限公司", true)
		mk("913301065800000009", "杭州乙科技有限公司", false)

		leader := e.browser()
		leader.login(e.fx.Staff(org.RoleLeader))
		st1, body := leader.get("/enterprises/certifications?kind=high_tech&from=2023-01-01&to=2024-01-01")
		if st1 != http.StatusOK || !strings.Contains(body, "杭州甲科技有限公司") || strings.Contains(body, "杭州乙科技有限公司") {
			t.Fatalf("certifications: %d %.500s", st1, body)
		}
		st1, body = leader.get("/enterprises?q=" + url.QueryEscape("杭州甲") + "&format=xlsx")
		if st1 != http.StatusOK {
			t.Fatalf("export: %d %.300s", st1, body)
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(f.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[1][1] != "杭州甲科技有限公司" || rows[1][8] != "138****5678" {
			t.Fatalf("exported rows: %v", rows)
		}

		// The enterprise service records a visit with a demand.
		qf := e.browser()
		qf.login(e.fx.Staff(org.RoleEnterpriseService))
		if err := st.SavePlan(ctx, &enterprise.VisitPlan{StaffID: e.fx.EnterpriseService.ID, EnterpriseID: a.ID, EveryDays: 30}); err != nil {
			t.Fatal(err)
		}
		page := "/enterprises/plan?visit=" + itoa(a.ID)
		st1, body = qf.get(page)
		if st1 != http.StatusOK || !strings.Contains(body, `id="visit-form"`) {
			t.Fatalf("plan: %d %.300s", st1, body)
		}
		form := url.Values{"enterprise_id": {itoa(a.ID)}, "on": {"2024-06-11"}, "findings": {"走访了解经营情况"},
			"demand": {"企业门口道路破损，影响货车进出"}, "category": {"0101"}}
		code, loc, _ := qf.post("/enterprises/plan/visit", qf.token(page), form)
		if code != http.StatusSeeOther || !strings.Contains(loc, "case=") {
			t.Fatalf("visit: %d %s", code, loc)
		}
		ds, err := st.ListDemands(ctx, a.ID)
		if err != nil || len(ds) != 1 || ds[0].VisitID == 0 {
			t.Fatalf("demands: %+v %v", ds, err)
		}
		c, err := e.cases.Get(ctx, org.SystemActor(), ds[0].CaseID)
		if err != nil || c.Channel != "enterprise" {
			t.Fatalf("case: %+v %v", c, err)
		}
		n, err := st.CountVisits(ctx, 0, "2024-01-01", "2025-01-01")
		if err != nil || n != 1 {
			t.Fatalf("visits: %d %v", n, err)
		}
	})
}
