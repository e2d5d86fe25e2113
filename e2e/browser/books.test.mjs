// The office's books in Chromium (docs/books.md): a community worker keeps
// a ledger on a phone (adds an entry, corrects it, sees its history,
// exports the ledger and tries the file back as a dry-run import); the
// leader's targets page with its status colours and projections; the
// indicators; a campaign's progress on the map; the admin's ledger types.
// Screenshots at phone and desktop size go to test-output/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, shots } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { if (env) await env.stop(); });

// noOverflow fails when the page is wider than its screen.
async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} is ${overflow}px wider than the screen`);
}

test("a community worker adds, corrects and exports a ledger entry on a phone", async () => {
  const ctx = await env.context("phone");
  const page = await ctx.newPage();
  await login(page, env.url, "community"); // 文华社区
  await page.goto(env.url + "/ledgers?year=2023");
  await page.getByRole("link", { name: "老年食堂服务" }).click();
  await page.locator("#entry-form").waitFor();
  // The year's entries of his own community only.
  const communities = await page.locator("#by-community tbody tr td:first-child").allTextContents();
  assert.deepEqual(communities.map((s) => s.trim()), ["文华社区"]);

  await page.fill("#day", "2023-12-20");
  await page.fill("#f_elder", "测试老人（浏览器）");
  await page.fill("#f_canteen", "文华社区老年食堂");
  await page.fill("#f_meals", "很多"); // not a number: refused, naming the field
  await page.click("#entry-form button[type=submit]");
  await page.getByText("“用餐次数”应为数字").first().waitFor();
  await page.fill("#f_meals", "12");
  await Promise.all([page.waitForURL((u) => u.searchParams.has("added")), page.click("#entry-form button[type=submit]")]);
  const id = new URL(page.url()).searchParams.get("added");
  await noOverflow(page, "the ledger page");
  await page.screenshot({ path: path.join(shots, "books-ledger-phone.png"), fullPage: false });

  // Correct it: the history keeps both versions, with who and when.
  await page.goto(`${env.url}/ledger-entries/${id}`);
  await page.fill("#f_meals", "14");
  await Promise.all([page.waitForURL(`${env.url}/ledger-entries/${id}`), page.click("form.form button[type=submit].primary")]);
  const rows = await page.locator("#history tbody tr").allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows[1], /用餐次数: 12 → 14/);
  await noOverflow(page, "the entry page");
  await page.screenshot({ path: path.join(shots, "books-entry-history-phone.png") });

  // Export, then try the file back as a dry run: every row reads, none is stored.
  await page.goto(env.url + "/ledgers/elderly_canteen?year=2023");
  const before = (await page.locator("section.kpis b").first().textContent()).trim();
  const xlsx = await page.request.get(env.url + "/ledgers/elderly_canteen/export.xlsx?year=2023");
  assert.equal(xlsx.status(), 200);
  const body = await xlsx.body();
  assert.ok(body.length > 1000 && body.subarray(0, 2).toString() === "PK", "an XLSX file");
  await page.setInputFiles("#import input[type=file]", { name: "canteen.xlsx", mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer: body });
  await page.click("#import button[type=submit]");
  const result = await page.locator("#import-result").textContent();
  assert.match(result, new RegExp(`读取 ${before} 行（试导入）`));
  assert.match(result, /导入 0，错误 0/);
  await ctx.close();
});

test("the leader's targets, indicators and a campaign at phone and desktop size", async () => {
  const pages = [
    { name: "targets", path: "/targets?year=2024", ready: "#targets tbody tr" },
    { name: "indicators", path: "/indicators?year=2023", ready: "#indicators tbody tr" },
    { name: "campaign", path: "/campaigns/elevator-2023", ready: "#campaign-map[data-loaded]" },
    { name: "campaigns", path: "/campaigns", ready: "#campaigns tbody tr" },
  ];
  for (const size of ["phone", "desktop"]) {
    const ctx = await env.context(size);
    const page = await ctx.newPage();
    await login(page, env.url, "leader");
    for (const pg of pages) {
      const resp = await page.goto(env.url + pg.path);
      assert.equal(resp.status(), 200, pg.path);
      await page.locator(pg.ready).first().waitFor({ timeout: 15000 });
      await noOverflow(page, `${pg.path} (${size})`);
      await page.screenshot({ path: path.join(shots, `books-${pg.name}-${size}.png`) });
    }
    await ctx.close();
  }
  // The targets carry every colour the demo year gives: met and on track,
  // missed, and not yet measured on this build; each projection says how.
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "leader");
  await page.goto(env.url + "/targets?year=2024");
  const statuses = await page.locator("#targets tr.tgt-row").evaluateAll((rs) => rs.map((r) => r.dataset.status));
  assert.equal(statuses.length, 18);
  for (const s of ["on_track", "missed"]) assert.ok(statuses.includes(s), `a target ${s}: ${statuses}`);
  assert.match(await page.locator("#targets tr.method").first().textContent(), /全年实际值|线性外推/);
  // The elevator campaign: 203 checked.
  await page.goto(env.url + "/campaigns");
  assert.match(await page.locator("#campaigns").textContent(), /老旧电梯健康检修\s*2023\s*老旧电梯检修\s*203\s*203/);
  await ctx.close();
});

test("an admin defines a ledger type without code", async () => {
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "admin");
  await page.goto(env.url + "/ledger-types");
  await page.fill("#code", "night_school");
  await page.fill("#name", "青年夜校课程");
  await page.fill("#fields", "title|课程|text|required|\nlearners|学员人次|number|measure,required|");
  await Promise.all([page.waitForURL(env.url + "/ledger-types"), page.click("form.form button[type=submit]")]);
  await page.getByRole("link", { name: "青年夜校课程" }).waitFor();
  await page.screenshot({ path: path.join(shots, "books-ledger-types-desktop.png") });
  // Removing a field of it is refused, in Chinese.
  await page.goto(env.url + "/ledger-types?edit=night_school");
  await page.fill("#fields", "title|课程|text|required|");
  await page.click("form.form button[type=submit]");
  await page.getByText("不能删除字段“学员人次”").first().waitFor();
  await ctx.close();
});

test("no books page loaded anything from outside, and no script failed", () => {
  assert.deepEqual(env.outside, []);
  assert.deepEqual(env.errors, []);
});

test("an inspector checks a unit, a failed item opening a finding, and re-checks the finding on a phone", async () => {
  const ctx = await env.context("phone");
  const page = await ctx.newPage();
  await login(page, env.url, "admin"); // who manages campaigns checks and re-checks any unit
  await page.goto(env.url + "/campaigns/safety-2023?status=pending&all=1");
  const unit = page.locator("ul.cases > li").first();
  const name = (await unit.locator("b").first().textContent()).trim();
  await unit.locator("summary").click();
  await unit.locator('input[name="item_extinguisher"][value="fail"]').check();
  await unit.locator('input[name="remark_extinguisher"]').fill("灭火器缺失（浏览器）");
  await unit.locator('input[name="rectify_extinguisher"]').check();
  await Promise.all([page.waitForURL((u) => u.pathname === "/campaigns/safety-2023"), unit.locator("button[type=submit]").click()]);
  const row = page.locator("table.findings tbody tr", { hasText: "灭火器缺失（浏览器）" });
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(name));
  assert.match(await row.textContent(), /整改中/);
  const firstCase = await row.locator('a[href^="/cases/"]').getAttribute("href");
  // A failed re-check needs a note, and opens a new case.
  await row.locator("summary").click();
  await row.locator('input[name="result"][value="fail"]').check();
  await row.locator('input[name="note"]').fill("仍未配置灭火器");
  await Promise.all([page.waitForURL((u) => u.hash.startsWith("#finding-")), row.locator("button[type=submit]").click()]);
  const after = page.locator("table.findings tbody tr", { hasText: "灭火器缺失（浏览器）" });
  assert.match(await after.textContent(), /复查未通过/);
  assert.notEqual(await after.locator('a[href^="/cases/"]').getAttribute("href"), firstCase);
  await after.scrollIntoViewIfNeeded();
  await noOverflow(page, "the campaign page with its findings");
  await page.screenshot({ path: path.join(shots, "books-recheck-phone.png") });
  // A passed re-check closes it: no more form.
  await after.locator("summary").click();
  await Promise.all([page.waitForURL((u) => u.hash.startsWith("#finding-")), after.locator("button[type=submit]").click()]);
  const closed = page.locator("table.findings tbody tr", { hasText: "灭火器缺失（浏览器）" });
  assert.match(await closed.textContent(), /复查通过/);
  assert.equal(await closed.locator("form").count(), 0);
  await ctx.close();
});
