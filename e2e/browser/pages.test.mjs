// Issue 15's pages: error pages, the case table, field work and the
// command center at a wall screen. Screenshots at phone (390×844),
// desktop (1440×900) and wall (1920×1080) size go to test-output/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, seed, shots } from "./harness.mjs";

let env, seeded;
before(async () => { env = await start(); seeded = await seed(env.url); });
after(async () => { if (env) await env.stop(); });

const WALL = { viewport: { width: 1920, height: 1080 } };
const photo = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} is ${overflow}px wider than the screen`);
}

test("an unknown address and a missing case answer an HTML page in the reader's language, with a way back", async () => {
  for (const size of ["phone", "desktop"]) {
    const ctx = await env.context(size);
    const page = await ctx.newPage();
    let resp = await page.goto(env.url + "/no/such/page");
    assert.equal(resp.status(), 404);
    assert.match(resp.headers()["content-type"], /text\/html/);
    await page.getByText("找不到该页面或记录").waitFor();
    await page.getByRole("link", { name: "返回首页" }).waitFor();
    await page.screenshot({ path: path.join(shots, `error-404-${size}.png`) });
    // Signed in: a case that does not exist, and the way back is the
    // reader's own start page.
    await login(page, env.url, "dispatcher");
    resp = await page.goto(env.url + "/cases/99999999");
    assert.equal(resp.status(), 404);
    await page.getByText("案件不存在").waitFor();
    assert.equal(await page.getByRole("link", { name: "回到我的工作台" }).getAttribute("href"), "/board");
    // In English when the reader chose it.
    await ctx.addCookies([{ name: "lang", value: "en", url: env.url }]);
    resp = await page.goto(env.url + "/nowhere");
    assert.equal(resp.status(), 404);
    await page.getByText("no such page").waitFor();
    assert.equal(await page.getByText("页面不存在").count(), 0);
    await noOverflow(page, "the error page");
    await ctx.close();
  }
  // The API still answers JSON.
  const r = await fetch(env.url + "/api/v1/nope");
  assert.equal(r.status, 404);
  assert.match(r.headers.get("content-type"), /application\/json/);
});

test("the case table: sorting by a header, page numbers and the total, search by number, cards on a phone", async () => {
  for (const size of ["phone", "desktop"]) {
    const ctx = await env.context(size);
    const page = await ctx.newPage();
    await login(page, env.url, "dispatcher");
    await page.goto(env.url + "/cases");
    const total = Number(await page.locator("[data-total]").first().textContent());
    assert.ok(total > 50, `only ${total} cases`);
    await page.locator('nav.pager [aria-current="page"]').first().waitFor();
    assert.equal(await page.locator("table.tbl.cards tbody tr").count(), 50);
    await noOverflow(page, `/cases (${size})`);
    await page.screenshot({ path: path.join(shots, `cases-table-${size}.png`) });
    if (size === "desktop") {
      // Sort by number: the header link sorts; the order is the numbers'.
      await Promise.all([page.waitForURL(/sort=number/), page.locator("thead a.sort", { hasText: "编号" }).click()]);
      const nums = await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-number")));
      const sorted = [...nums].sort();
      assert.deepEqual(nums, nums[0] < nums[nums.length - 1] ? sorted : sorted.reverse());
      assert.ok(await page.locator('th[aria-sort]').count() === 1);
      // Page 2 keeps the sort.
      await Promise.all([page.waitForURL(/page=2/), page.locator("nav.pager a", { hasText: "2" }).first().click()]);
      assert.match(page.url(), /sort=number/);
    }
    // The search box finds a case by its number.
    const number = seeded[0].number;
    await page.goto(env.url + "/cases");
    await page.fill("input[name=q]", number);
    await Promise.all([page.waitForURL(/q=/), page.click("form.filters button.primary")]);
    assert.deepEqual(await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-number"))), [number]);
    await ctx.close();
  }
});

test("batch steps on the case table answer a line per case", async () => {
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "dispatcher");
  await page.goto(env.url + "/cases?status=reported&sort=reported&dir=asc");
  const rows = page.locator("tbody tr");
  const n = Math.min(await rows.count(), 2);
  assert.ok(n >= 1, "no new reports to dispatch");
  for (let i = 0; i < n; i++) await rows.nth(i).locator("input[name=id]").check();
  await page.selectOption("select[name=action]", "supervise");
  await Promise.all([page.waitForLoadState("load"), page.click(".batchbar button.primary")]);
  // Supervising needs a note: the field says so.
  await page.getByText("督办须填写督办意见").waitFor();
  await page.goto(env.url + "/cases?status=reported&sort=reported&dir=asc");
  for (let i = 0; i < n; i++) await rows.nth(i).locator("input[name=id]").check();
  await page.selectOption("select[name=action]", "dispatch");
  await Promise.all([page.waitForLoadState("load"), page.click(".batchbar button.primary")]);
  const lines = page.locator(".batch-results li");
  assert.equal(await lines.count(), n);
  await page.screenshot({ path: path.join(shots, "cases-batch-desktop.png"), fullPage: false });
  await ctx.close();
});

test("field work: 自行处置 in one form, photos labelled 处置前/处置后, a map and navigation on the case page", async () => {
  const ctx = await env.context("phone");
  const page = await ctx.newPage();
  await login(page, env.url, "grid.wenhua-01");
  await page.goto(env.url + "/report");
  await page.locator("#photos").setInputFiles({ name: "before.png", mimeType: "image/png", buffer: photo });
  await page.selectOption("#grid_id", { index: 1 });
  await page.selectOption("#category", "0101");
  await page.fill("#details", "路边有一袋散落的生活垃圾");
  await page.check("#on_spot");
  await page.fill("#handling", "已将垃圾收拢装袋，放入垃圾桶");
  await page.locator("#after_photos").setInputFiles({ name: "after.png", mimeType: "image/png", buffer: photo });
  await page.screenshot({ path: path.join(shots, "grid-onspot-form-phone.png"), fullPage: true });
  await Promise.all([page.waitForURL((u) => u.searchParams.get("done") === "self_handle"), page.click("#report-form button.primary")]);
  assert.equal((await page.textContent("#case-status")).trim(), "待核查");
  await page.locator("figcaption.stage-before", { hasText: "处置前" }).first().waitFor();
  await page.locator("figcaption.stage-after", { hasText: "处置后" }).first().waitFor();
  // No verify for the one who handled it.
  assert.equal(await page.locator('details[data-action="verify"]').count(), 0);
  const caseURL = page.url().split("?")[0];
  await page.screenshot({ path: path.join(shots, "case-onspot-phone.png"), fullPage: true });

  // A case with a location: a map and navigation links, no raw coordinates.
  const located = seeded.find((c) => c.location);
  await page.goto(env.url + "/cases/" + located.id).catch(() => {});
  const ctx2 = await env.context("desktop");
  const disp = await ctx2.newPage();
  await login(disp, env.url, "dispatcher");
  await disp.goto(env.url + "/cases/" + located.id);
  await disp.locator("#case-map.leaflet-container").waitFor();
  await disp.locator("#case-map[data-loaded]").waitFor();
  assert.match(await disp.getAttribute("#nav-geo", "href"), /^geo:/);
  assert.match(await disp.getAttribute("#nav-amap", "href"), /coordinate=wgs84/);
  const facts = await disp.textContent(".facts");
  assert.doesNotMatch(facts, /\d+\.\d{5}, \d+\.\d{5}/);
  await disp.screenshot({ path: path.join(shots, "case-map-desktop.png"), fullPage: true });
  // The command center verifies the on-the-spot handling.
  await disp.goto(caseURL);
  await disp.locator('details[data-action="verify"]').waitFor();
  await ctx.close();
  await ctx2.close();
});

async function report(body) {
  const r = await fetch(env.url + "/api/v1/cases", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(r.status, 201);
  return r.json();
}

test("the command center at a wall screen: the map at the centre, counters, the stream and 一键派单", async () => {
  // A new report that routing has a unit for, and one outside every grid.
  const fresh = await report({ category: "0101", details: "垃圾桶满溢，请尽快清运", lat: 30.2746, lon: 120.1152, reporter: { phone: "13700002222" } });
  assert.ok(fresh.suggested_unit_id, "no routing suggestion for the new report");
  // Far outside the subdistrict: refused, with the reason.
  const refused = await fetch(env.url + "/api/v1/cases", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ category: "0101", details: "另一个街道的问题", lat: 30.4, lon: 120.3 }) });
  assert.equal(refused.status, 400);
  assert.match((await refused.json()).error.message, /不在本街道辖区内/);
  // Just outside every grid: taken, and flagged on the board.
  const far = await report({ category: "0101", details: "网格以外的报告", lat: 30.2660, lon: 120.1190 }).catch(() => null);
  const ctx = await env.context("desktop", WALL);
  const page = await ctx.newPage();
  await login(page, env.url, "dispatcher");
  await page.goto(env.url + "/board");
  await page.locator("#live.on").waitFor({ timeout: 15000 });
  await page.locator("#board-map[data-loaded]").waitFor({ timeout: 15000 });
  await page.evaluate(() => document.fonts.ready);
  // Full height, no page scroll; the map in the middle column.
  const box = await page.evaluate(() => {
    const m = document.getElementById("board-map").getBoundingClientRect();
    const s = document.getElementById("sec-new").getBoundingClientRect();
    const g = document.querySelector(".board-grid").getBoundingClientRect();
    return { scroll: document.documentElement.scrollHeight - window.innerHeight, map: [m.left, m.right, m.height], stream: s.right, piles: g.left };
  });
  assert.ok(box.scroll <= 1, `the wall screen scrolls by ${box.scroll}px`);
  assert.ok(box.stream <= box.map[0] && box.map[1] <= box.piles, `not stream | map | piles: ${JSON.stringify(box)}`);
  assert.ok(box.map[2] > 600, `the map is only ${box.map[2]}px high`);
  assert.ok(Number(await page.getAttribute("#board-map", "data-cases-count")) > 0);
  await page.locator("#sec-hung").waitFor();
  await page.locator(".legend").getByText("超期（闪烁）").waitFor();
  // Only overdue markers flash.
  const flashing = await page.evaluate(() => [...document.querySelectorAll(".case-pin")].filter((p) => getComputedStyle(p).animationName === "overdue-flash").every((p) => p.classList.contains("due-overdue")));
  assert.ok(flashing, "something not overdue flashes");
  await page.screenshot({ path: path.join(shots, "board-wall-1920.png") });
  // The stream: waiting time, the warning outside every grid, and 一键派单
  // to the suggested unit.
  const number = fresh.number;
  const item = page.locator(`.stream-item[data-number="${number}"]`);
  await item.locator(".waiting").waitFor();
  assert.match(await item.locator(".waiting").textContent(), /已等待/);
  if (far) await page.locator(`.stream-item[data-number="${far.number}"] .warn-outside`).waitFor();
  const before = Number(await page.locator('[data-count="new"]').textContent());
  await Promise.all([page.waitForURL(/dispatched=/), item.locator("button.one-step").click()]);
  await page.getByText("已一键派单：" + number).waitFor();
  assert.equal(Number(await page.locator('[data-count="new"]').textContent()), before - 1);
  assert.equal(await page.locator(`.stream-item[data-number="${number}"]`).count(), 0);
  // Counters update live: a new report arrives while the board is open.
  await page.locator("#live.on").waitFor({ timeout: 15000 });
  const now = Number(await page.locator('[data-count="new"]').textContent());
  await fetch(env.url + "/api/v1/cases", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ category: "0101", details: "大屏实时测试：垃圾满溢", lat: 30.2750, lon: 120.1150 }) });
  await page.waitForFunction((n) => Number(document.querySelector('[data-count="new"]').textContent) === n + 1, now, { timeout: 15000 });
  await ctx.close();

  // Desktop and phone stay usable.
  for (const size of ["desktop", "phone"]) {
    const c = await env.context(size);
    const p = await c.newPage();
    await login(p, env.url, "dispatcher");
    await p.goto(env.url + "/board");
    await p.locator("#live.on").waitFor({ timeout: 15000 });
    await noOverflow(p, `/board (${size})`);
    await p.locator("#sec-new").waitFor();
    await p.screenshot({ path: path.join(shots, `board-${size}-issue15.png`) });
    await c.close();
  }
});

test("residents: the 街道's name, a map to drop a pin, no jargon, and a report without a place refused", async () => {
  const ctx = await env.context("phone");
  const page = await ctx.newPage();
  await page.goto(env.url + "/r");
  await page.locator("#subdistrict").waitFor();
  await page.locator("#pin-map[data-loaded]").waitFor();
  assert.equal(await page.getByText("WGS-84").count(), 0);
  // Tap the middle of the map: the pin fills the form's place.
  const box = await page.locator("#pin-map").boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  assert.notEqual(await page.inputValue('input[name="lat"]'), "");
  await page.screenshot({ path: path.join(shots, "resident-pin-phone.png"), fullPage: true });
  // Nothing to say where: refused, naming the place.
  await page.goto(env.url + "/r");
  await page.selectOption("#category", "0101");
  await page.fill("#details", "没有位置的报告");
  await Promise.all([page.waitForLoadState("load"), page.click("#report-form button.primary")]);
  await page.getByText("请说明问题的位置").waitFor();
  await noOverflow(page, "the resident's form");
  await ctx.close();
});

test("leaders: the year before beside each figure, units ranked by a stated score, readable at phone size", async () => {
  for (const size of ["phone", "desktop"]) {
    const ctx = await env.context(size);
    const page = await ctx.newPage();
    await login(page, env.url, "leader");
    await page.goto(env.url + "/dashboard?year=2023");
    await page.locator("#prior-filed").waitFor();
    await page.locator("#score-rule").waitFor();
    const body = await page.textContent("main");
    assert.doesNotMatch(body, /docs\/|\.md\b/);
    await page.locator("table.evaltbl td.score").first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, `dashboard-units-${size}.png`) });
    await noOverflow(page, "the dashboard");
    await ctx.close();
  }
});

test("admins: staff searched and paged, grids chosen by search, every missing field named", async () => {
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "security"); // staff and roles are the security administrator's (issue 18)
  await page.goto(env.url + "/admin/staff");
  assert.equal(await page.inputValue("#s-role"), "community_staff");
  await page.fill("#s-grids", "文华");
  const visible = await page.locator("#s-grid-list label:not([hidden])").count();
  const all = await page.locator("#s-grid-list label").count();
  assert.ok(visible > 0 && visible < all, `the grid filter shows ${visible} of ${all}`);
  await page.locator("#s-grid-list label:not([hidden]) input").first().check();
  await page.locator("[data-chooser-chosen]").getByText("已选").waitFor();
  await page.screenshot({ path: path.join(shots, "admin-staff-desktop.png"), fullPage: false });
  await Promise.all([page.waitForLoadState("load"), page.click('form[action="/admin/staff/save"] button.primary')]);
  for (const msg of ["请填写用户名", "请填写姓名", "请设置初始密码"]) await page.getByText(msg).first().waitFor();
  await page.goto(env.url + "/admin/staff?q=grid");
  const n = Number(await page.locator("[data-total]").first().textContent());
  assert.ok(n > 0 && n < 200, `search found ${n}`);
  await ctx.close();
});

test("no page loaded anything from outside, and no script failed", () => {
  assert.deepEqual(env.outside, []);
  assert.deepEqual(env.errors, []);
});
