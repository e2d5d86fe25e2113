package store_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jiedao/jiedao"
	"github.com/jiedao/jiedao/enterprise"
	"github.com/jiedao/jiedao/internal/testdb"
	"github.com/jiedao/jiedao/org"
	"github.com/jiedao/jiedao/store"
)

func csvOf(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// wantRowErrors checks that an import failed naming exactly these
// "row:column" pairs.
func wantRowErrors(t *testing.T, res *enterprise.ImportResult, err error, want ...string) {
	t.Helper()
	if jiedao.ErrorCode(err) != jiedao.EINVALID {
		t.Fatalf("error %v, want invalid", err)
	}
	var got []string
	for _, e := range res.Errors {
		got = append(got, itoa(int64(e.Row))+":"+e.Field)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("row errors %v, want %v (%v)", got, want, err)
	}
	zh, _ := jiedao.ErrorMessages(err)
	if !strings.Contains(zh, "未导入任何数据") || !strings.Contains(zh, "第") {
		t.Fatalf("message: %s", zh)
	}
}

func TestImportEnterprises(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		svc, au, a := entFixture(t, db)
		c1, c2 := validCode("91330106MA2B00001"), validCode("91330106MA2B00002")
		pilot := c2[:17] + string(otherChar(c2[17]))
		pilot = pilot[:16] + "9" + pilot[17:] // a different enterprise
		pilotFixed := pilot
		if r, _ := enterprise.CheckCode(pilotFixed); r != enterprise.ReasonWrongCheck {
			pilotFixed = pilot[:17] + string(otherChar(pilot[17]))
		}
		file := csvOf(
			"企业名录",
			"统一社会信用代码,企业名称,成立日期,标签,企服平台入驻日期,国家高新技术企业,联系电话,代码例外说明",
			c1+",杭州甲科技有限公司,2023-03-01,总部企业、上市企业,2023-04-01,2023-11-20至2026-11-19,13812345678,",
			c2+",杭州乙网络有限公司,2019/5/6,,,,,",
			pilotFixed+",杭州丙试点企业,2014-01-01,,,,,2015年试点代码",
		)
		res, err := svc.Import(bg, a, enterprise.ImportEnterprises, file, true)
		must(t, err)
		if res.Created != 3 || len(res.Rows) != 3 || res.Rows[0].Row != 3 || res.Rows[0].Action != enterprise.ActionCreate {
			t.Fatalf("dry run: %+v", res)
		}
		if n, _ := svc.Count(bg, a, enterprise.Filter{}); n != 0 {
			t.Fatalf("dry run wrote %d enterprises", n)
		}
		res, err = svc.Import(bg, a, enterprise.ImportEnterprises, file, false)
		must(t, err)
		if res.Created != 3 {
			t.Fatalf("import: %+v", res)
		}
		list, err := svc.List(bg, a, enterprise.Filter{Tag: enterprise.TagHQListed})
		must(t, err)
		if len(list) != 1 || list[0].CreditCode != c1 || list[0].OnboardedOn != "2023-04-01" || !list[0].HasTag(enterprise.TagListed) {
			t.Fatalf("hq: %+v", list)
		}
		// The leader sees the contact masked.
		seen, err := svc.Get(bg, org.Actor{Kind: org.ActorStaff, Role: org.RoleLeader}, list[0].ID)
		must(t, err)
		if seen.ContactPhone != "138****5678" {
			t.Fatalf("leader sees %q", seen.ContactPhone)
		}
		certs, err := svc.Certifications(bg, a, enterprise.CertFilter{Kind: enterprise.CertHighTech})
		must(t, err)
		if len(certs) != 1 || certs[0].AwardedOn != "2023-11-20" || certs[0].ExpiresOn != "2026-11-19" {
			t.Fatalf("certifications: %+v", certs)
		}
		found := false
		for _, x := range au.actions {
			found = found || strings.HasPrefix(x, "enterprise.code_override ") && strings.HasSuffix(x, " 2015年试点代码")
		}
		if !found {
			t.Fatalf("override not audited: %v", au.actions)
		}

		// Merged on the code: a renamed enterprise is an update, the
		// rest unchanged; re-importing the certification adds none.
		again := csvOf(
			"统一社会信用代码,企业名称,成立日期,标签,企服平台入驻日期,国家高新技术企业,联系电话,代码例外说明",
			c1+",杭州甲科技有限公司,2023-03-01,总部企业、上市企业,2023-04-01,2023-11-20至2026-11-19,13812345678,",
			strings.ToLower(c2)+",杭州乙数字有限公司,2019/5/6,,,,,",
		)
		res, err = svc.Import(bg, a, enterprise.ImportEnterprises, again, false)
		must(t, err)
		if res.Updated != 2 || res.Created != 0 || !strings.Contains(res.Rows[1].Detail, "名称：杭州乙网络有限公司 → 杭州乙数字有限公司") {
			t.Fatalf("re-import: %+v", res)
		}
		if certs, _ := svc.Certifications(bg, a, enterprise.CertFilter{}); len(certs) != 1 {
			t.Fatalf("certifications after re-import: %d", len(certs))
		}

		// Bad rows: nothing imported, each row and column named.
		bad := csvOf(
			"统一社会信用代码,企业名称,成立日期",
			validCode("91330106MA2B00003")+",新企业,2023-01-01",
			"91330106MA2B0000,短代码,2023-01-01",
			c1[:17]+string(otherChar(c1[17]))+",错校验位,2023-01-01",
			c2+",重复一,2023-01-01",
			c2+",重复二,2023-01-01",
			validCode("91330106MA2B00004")+",坏日期,2023-13-45",
		)
		res, err = svc.Import(bg, a, enterprise.ImportEnterprises, bad, false)
		wantRowErrors(t, res, err, "3:统一社会信用代码", "4:统一社会信用代码", "6:统一社会信用代码", "7:成立日期")
		if n, _ := svc.Count(bg, a, enterprise.Filter{}); n != 3 {
			t.Fatalf("%d enterprises after a refused file, want 3", n)
		}

		// XLSX, with the date as Excel's serial number.
		f := excelize.NewFile()
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"统一社会信用代码", "企业名称", "成立日期"}))
		must(t, f.SetSheetRow("Sheet1", "A2", &[]any{validCode("91330106MA2B00005"), "杭州丁有限公司", 45000}))
		var buf bytes.Buffer
		must(t, f.Write(&buf))
		res, err = svc.Import(bg, a, enterprise.ImportEnterprises, buf.Bytes(), false)
		must(t, err)
		if res.Created != 1 {
			t.Fatalf("xlsx: %+v", res)
		}
		list, _ = svc.List(bg, a, enterprise.Filter{Query: "杭州丁"})
		if len(list) != 1 || list[0].RegisteredOn != "2023-03-15" {
			t.Fatalf("xlsx enterprise: %+v", list)
		}
		// Who may not write cannot import.
		if _, err := svc.Import(bg, org.Actor{Kind: org.ActorStaff, Role: org.RoleDispatcher}, enterprise.ImportEnterprises, file, true); jiedao.ErrorCode(err) != jiedao.EFORBIDDEN {
			t.Fatalf("dispatcher imported: %v", err)
		}
	})
}

func TestImportBuildingsTenanciesTaxMoves(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		svc, _, a := entFixture(t, db)
		c1, c2 := validCode("91330106MA2C00001"), validCode("91330106MA2C00002")
		_, err := svc.Import(bg, a, enterprise.ImportEnterprises, csvOf("统一社会信用代码,企业名称", c1+",甲", c2+",乙"), false)
		must(t, err)

		// Negative areas and a duplicate room are refused.
		res, err := svc.Import(bg, a, enterprise.ImportBuildings, csvOf(
			"楼宇名称,建筑面积,楼层,房间号,房间面积",
			"天目里,-5,3,301,100",
			"云州国际,20000,12,1201,-1",
			"云州国际,20000,12,1201,80",
		), false)
		wantRowErrors(t, res, err, "2:建筑面积", "3:房间面积", "4:房间号")
		if bs, _ := svc.Buildings(bg, a); len(bs) != 0 {
			t.Fatalf("buildings after a refused file: %d", len(bs))
		}
		_, err = svc.Import(bg, a, enterprise.ImportBuildings, csvOf(
			"楼宇名称,建筑面积,楼层,房间号,房间面积",
			"天目里,30000,3,301,100",
			"天目里,30000,5,501,100",
			"云州国际,20000,12,1201,80",
		), false)
		must(t, err)

		// Tenancies: one overlapping another of the file, and a room that
		// does not exist.
		res, err = svc.Import(bg, a, enterprise.ImportTenancies, csvOf(
			"统一社会信用代码,楼宇名称,楼层,房间号,入驻日期,退租日期",
			c1+",天目里,3,301,2022-01-01,2023-07-01",
			c2+",天目里,3,301,2023-06-01,",
			c2+",天目里,9,901,2023-06-01,",
		), false)
		wantRowErrors(t, res, err, "3:入驻日期", "4:房间号")
		_, err = svc.Import(bg, a, enterprise.ImportTenancies, csvOf(
			"统一社会信用代码,楼宇名称,楼层,房间号,入驻日期,退租日期",
			c1+",天目里,3,301,2022-01-01,2023-07-01",
			c1+",云州国际,12,1201,2023-07-01,",
			c2+",天目里,3,301,2023-07-01,",
		), false)
		must(t, err)
		// Against what is stored: overlapping c2's open tenancy.
		res, err = svc.Import(bg, a, enterprise.ImportTenancies, csvOf(
			"统一社会信用代码,楼宇名称,楼层,房间号,入驻日期",
			c1+",天目里,3,301,2024-01-01",
		), true)
		wantRowErrors(t, res, err, "2:入驻日期")

		// Tax: unknown enterprise, duplicate month, bad amount.
		unknown := validCode("91330106MA2C00009")
		res, err = svc.Import(bg, a, enterprise.ImportTax, csvOf(
			"统一社会信用代码,所属期,税额",
			c1+",2023-01,100",
			unknown+",2023-01,100",
			c1+",202301,50",
			c2+",2023-02,abc",
		), false)
		wantRowErrors(t, res, err, "3:统一社会信用代码", "4:所属期", "5:税额")
		var lines = []string{"统一社会信用代码,所属期,税额"}
		for m := 1; m <= 12; m++ {
			lines = append(lines, c1+",2023-"+two(m)+",1000000.00")
		}
		res, err = svc.Import(bg, a, enterprise.ImportTax, csvOf(lines...), false)
		must(t, err)
		if res.Created != 12 {
			t.Fatalf("tax: %+v", res)
		}
		lines[1] = c1 + ",2023年1月,1000000"
		lines[2] = c1 + ",2023-02,2000000"
		res, err = svc.Import(bg, a, enterprise.ImportTax, csvOf(lines...), true)
		must(t, err)
		if res.Updated != 1 || res.Unchanged != 11 || res.Rows[1].Detail != "1000000.00 → 2000000.00" {
			t.Fatalf("tax dry run: %+v", res)
		}
		years, err := svc.Tiers(bg, a, 2023)
		must(t, err)
		for _, y := range years {
			want := map[string]enterprise.Money{"天目里": enterprise.Yuan(6_000_000), "云州国际": enterprise.Yuan(6_000_000)}[y.Name]
			if y.Tax != want {
				t.Errorf("%s: %v, want %v", y.Name, y.Tax, want)
			}
		}

		// Moves and their net tax.
		res, err = svc.Import(bg, a, enterprise.ImportMoves, csvOf(
			"统一社会信用代码,迁移方向,迁移日期,迁出地,年度税收",
			c1+",迁入,2023-03-01,上城区,5000000",
			c2+",迁出,2023-09-01,,1250000",
			c2+",搬走,2023-09-01,,-1",
		), false)
		wantRowErrors(t, res, err, "4:迁移方向", "4:年度税收")
		_, err = svc.Import(bg, a, enterprise.ImportMoves, csvOf(
			"统一社会信用代码,迁移方向,迁移日期,迁出地,年度税收",
			c1+",迁入,2023-03-01,上城区,5000000",
			c2+",迁出,2023-09-01,,1250000",
		), false)
		must(t, err)
		moves, bal, err := svc.Moves(bg, a, "2023-01-01", "2024-01-01")
		must(t, err)
		if len(moves) != 2 || bal.NetTax() != enterprise.Yuan(3_750_000) || bal.NetCount() != 0 || bal.DoubleSurplus() {
			t.Fatalf("moves %+v balance %+v", moves, bal)
		}
		figs := &enterprise.Figures{Service: svc}
		m, err := figs.Measure(bg, a, "enterprise.net_migration_tax", 2023)
		must(t, err)
		if m.Value != 3_750_000 || m.Records != 2 {
			t.Fatalf("net migration tax: %+v", m)
		}
	})
}
