package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/report"
	"github.com/jiedao/jiedao/store"
)

// The report's words are versioned (every save a new version, with who and
// when); an override needs a reason, is kept with who and when, and a
// withdrawal is a new row: the history stays.
func TestReportDocs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2024, 1, 10, 9, 30, 0, 0, time.UTC)
		docs := &report.Docs{Store: db.ReportDocs(), Now: func() time.Time { return now }, Audit: db.Audit()}
		admin := org.Actor{Kind: org.ActorStaff, Role: org.RoleAdmin, Name: "王主任"}
		leader := org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader, Name: "李书记"}
		clerk := org.Actor{Kind: org.ActorStaff, Role: org.RoleDispatcher, Name: "调度员"}

		tpl, err := docs.Template(ctx, leader)
		if err != nil || tpl.Version != 0 || !strings.Contains(tpl.Body, "{{cases.xihu_code.signed}}") {
			t.Fatalf("built-in template: %+v %v", tpl, err)
		}
		if _, err := docs.SaveTemplate(ctx, leader, "x", ""); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("a leader saved the words: %v", err)
		}
		if _, err := docs.SaveTemplate(ctx, admin, "西湖码{{cases.nope}}件", ""); jiedao.ErrorField(err) != "body" {
			t.Fatalf("unknown placeholder saved: %v", err)
		}
		v1, err := docs.SaveTemplate(ctx, admin, "# 报告\n西湖码{{cases.xihu_code.signed}}件", "初稿")
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
		v2, err := docs.SaveTemplate(ctx, admin, "# 报告\r\n今年累计流转签收西湖码{{cases.xihu_code.signed}}件", "")
		if err != nil || v2.Version <= v1.Version {
			t.Fatalf("second version %+v %v", v2, err)
		}
		vs, err := docs.Versions(ctx, leader)
		if err != nil || len(vs) != 2 || vs[0].Version != v2.Version || vs[1].Note != "初稿" || vs[1].By != "王主任" ||
			!vs[1].At.Equal(now.Add(-time.Hour)) || vs[0].Body != "# 报告\n今年累计流转签收西湖码{{cases.xihu_code.signed}}件" {
			t.Fatalf("versions: %+v %v", vs, err)
		}
		if cur, _ := docs.Template(ctx, leader); cur.Version != v2.Version {
			t.Fatalf("in use: version %d, want %d", cur.Version, v2.Version)
		}
		if _, err := docs.Versions(ctx, clerk); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("a dispatcher read the versions: %v", err)
		}

		x := 4320.0
		if _, err := docs.SetOverride(ctx, admin, 2023, "cases.xihu_code.signed", &x, " "); jiedao.ErrorField(err) != "reason" {
			t.Fatalf("override without reason: %v", err)
		}
		if _, err := docs.SetOverride(ctx, admin, 2023, "cases.nope", &x, "补录线下签收"); jiedao.ErrorField(err) != "key" {
			t.Fatalf("override of no figure: %v", err)
		}
		if _, err := docs.SetOverride(ctx, leader, 2023, "cases.xihu_code.signed", &x, "补录线下签收"); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("a leader overrode: %v", err)
		}
		if _, err := docs.SetOverride(ctx, admin, 2023, "cases.xihu_code.signed", &x, "补录线下签收"); err != nil {
			t.Fatal(err)
		}
		y := 12.5
		if _, err := docs.SetOverride(ctx, admin, 2023, "cases.grid.handled", &y, "网格通口径调整"); err != nil {
			t.Fatal(err)
		}
		if _, err := docs.SetOverride(ctx, admin, 2023, "cases.grid.handled", nil, "恢复系统计算值"); err != nil {
			t.Fatal(err)
		}
		inForce, hist, err := docs.Overrides(ctx, leader, 2023)
		if err != nil || len(hist) != 3 || len(inForce) != 1 {
			t.Fatalf("overrides: %v %v %v", inForce, hist, err)
		}
		o := inForce["cases.xihu_code.signed"]
		if *o.Value != 4320 || o.Reason != "补录线下签收" || o.By != "王主任" || !o.At.Equal(now) || hist[2].Value != nil || *hist[1].Value != 12.5 {
			t.Fatalf("override %+v, history %+v", o, hist)
		}
		if other, _, _ := docs.Overrides(ctx, leader, 2022); len(other) != 0 {
			t.Fatalf("2022 has overrides: %v", other)
		}
		// Every save and override is in the audit trail, with its reason;
		// refused ones are not.
		rows, err := db.Query(ctx, `SELECT action, target_id, reason FROM audit_log WHERE target_kind IN ('report_template', 'report_figure') ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var action, target, reason string
			if err := rows.Scan(&action, &target, &reason); err != nil {
				t.Fatal(err)
			}
			got = append(got, action+" "+target+" "+reason)
		}
		rows.Close()
		want := []string{"report_template.save 1 初稿", "report_template.save 2 ", "report_override.set 2023/cases.xihu_code.signed 补录线下签收",
			"report_override.set 2023/cases.grid.handled 网格通口径调整", "report_override.withdraw 2023/cases.grid.handled 恢复系统计算值"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("audit log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}
