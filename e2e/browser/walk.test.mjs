// One case walked through the closed loop in a real browser, each step by
// the role that owns it, in its own browser context: a resident's QR-code
// report, the command center's acceptance and dispatch (watched arriving
// live on the board), the unit's sign-for and handling, the grid worker's
// verification, closing, and the resident's rating. Also: a unit cannot
// open another unit's case, and no page loads anything from outside.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, act, shots } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { if (env) await env.stop(); });

test("a case from a resident's QR report to the resident's rating", async (t) => {
  const { url } = env;
  const t0 = Date.now();
  const step = (what) => t.diagnostic(`${what}: ${Date.now() - t0} ms`);
  const phone = "139" + String(Date.now()).slice(-8);

  // The command center watches its board before the report arrives.
  const disp = await env.context("desktop");
  const board = await disp.newPage();
  await login(board, url, "dispatcher");
  assert.equal(new URL(board.url()).pathname, "/board");
  await board.waitForSelector("#live.on", { timeout: 10000 });

  step('A resident scans');
  // A resident scans grid wenhua-01's code: the form is placed there.
  const resCtx = await env.context("phone");
  const res = await resCtx.newPage();
  const qr = await res.request.get(url + "/qr/wenhua-01");
  assert.equal(qr.status(), 200);
  assert.match(qr.headers()["content-type"], /image\/svg\+xml/);
  await res.goto(url + "/r/wenhua-01");
  await res.getByText("文华第1网格").waitFor();
  await res.selectOption("#category", "0101");
  await res.fill("#details", "小区东门垃圾桶满溢，垃圾散落在人行道上");
  await res.fill("#address", "文三路 478 号东门");
  await res.fill("#name", "张三");
  await res.fill("#phone", phone);
  const photo = await res.screenshot({ type: "png" }); // any real image will do
  await res.setInputFiles("#photos", { name: "scene.png", mimeType: "image/png", buffer: photo });
  await Promise.all([res.waitForURL(/\/r\/done/), res.click("button[type=submit].primary")]);
  const number = (await res.textContent("#case-number")).trim();
  assert.match(number, /^\d{8}-\d{4}$/);

  step('It appears on the board');
  // It appears on the board without a reload (server-sent events).
  await board.locator(`[data-number="${number}"]`).first().waitFor({ timeout: 15000 });
  await Promise.all([board.waitForURL(/\/cases\/\d+/), board.locator(`[data-number="${number}"] a.title`).first().click()]);
  const caseURL = board.url().split("?")[0];
  await board.locator(".photos img").first().waitFor(); // the resident's photo, served to the dispatcher
  await board.screenshot({ path: path.join(shots, "dispatcher-case-desktop.png") });
  await act(board, "accept");
  // Dispatch: the routing suggestion is chosen already.
  const sel = board.locator('details[data-action="dispatch"] select[name=unit_id]');
  const chosen = await sel.evaluate((s) => s.options[s.selectedIndex].text);
  assert.match(chosen, /城市管理科/);
  assert.match(chosen, /推荐/);
  await act(board, "dispatch");
  assert.equal((await board.textContent("#case-status")).trim(), "待签收");

  step("The unit's handler");
  // The unit's handler finds it in his inbox with a countdown, and works it.
  const unitCtx = await env.context("phone");
  const unit = await unitCtx.newPage();
  await login(unit, url, "chengguan.1");
  assert.equal(new URL(unit.url()).pathname, "/inbox");
  const row = unit.locator(`#sec-sign [data-number="${number}"]`);
  await row.waitFor();
  assert.match(await row.locator(".due").textContent(), /剩余|超期/);
  await Promise.all([unit.waitForURL(/\/cases\/\d+/), row.locator("a.title").click()]);
  await act(unit, "sign");
  await unit.screenshot({ path: path.join(shots, "unit-case-phone.png"), fullPage: true });
  await act(unit, "start");
  await act(unit, "handle", async (d) => {
    await d.locator("textarea[name=reason]").fill("已清运满溢垃圾，冲洗人行道");
    await d.locator("input[type=file]").setInputFiles({ name: "after.png", mimeType: "image/png", buffer: photo });
  });
  assert.equal((await unit.textContent("#case-status")).trim(), "待核查");

  step('Another unit cannot');
  // Another unit cannot open the case: it is "not found" to them.
  const otherCtx = await env.context("desktop");
  const other = await otherCtx.newPage();
  await login(other, url, "zhifa.1");
  const resp = await other.goto(caseURL);
  assert.equal(resp.status(), 404);
  await other.getByText("案件不存在").waitFor();

  step('The grid worker of');
  // The grid worker of the grid verifies it on the spot, with a photo.
  const gridCtx = await env.context("phone");
  const grid = await gridCtx.newPage();
  await login(grid, url, "grid.wenhua-01");
  assert.equal(new URL(grid.url()).pathname, "/grid");
  const vrow = grid.locator(`#sec-verify [data-number="${number}"]`);
  await vrow.waitFor();
  await Promise.all([grid.waitForURL(/\/cases\/\d+/), vrow.locator("a.title").click()]);
  await act(grid, "verify", async (d) => {
    await d.locator("input[type=file]").setInputFiles({ name: "check.png", mimeType: "image/png", buffer: photo });
  });
  assert.equal((await grid.textContent("#case-status")).trim(), "待结案");

  step('The command center closes');
  // The command center closes it.
  await board.goto(caseURL);
  await act(board, "close");
  assert.equal((await board.textContent("#case-status")).trim(), "已结案");

  step('The resident follows');
  // The resident follows it with number and phone, and rates it.
  await res.goto(url + "/track?number=" + number);
  await res.fill("#phone", "0000000");
  await res.click("button[type=submit].primary");
  await res.getByText("案件编号或手机号不正确").waitFor(); // the phone is the proof
  await res.fill("#phone", phone);
  await res.click("button[type=submit].primary");
  assert.equal((await res.textContent("#case-status")).trim(), "已结案");
  await res.check('input[name=rating][value="satisfied"]');
  await res.fill("#comment", "处理很及时，谢谢");
  await res.click("form[action='/track/rate'] button.primary");
  await res.getByText("感谢您的评价").waitFor();
  await res.getByText("满意").first().waitFor();
  await res.screenshot({ path: path.join(shots, "resident-rated-phone.png"), fullPage: true });

  for (const c of [disp, resCtx, unitCtx, otherCtx, gridCtx]) await c.close();
});

test("an unsatisfied rating goes back to the command center, which reopens the case", async () => {
  const { url } = env;
  const phone = "138" + String(Date.now()).slice(-8);
  const resCtx = await env.context("phone");
  const res = await resCtx.newPage();
  await res.goto(url + "/r/wenhua-01");
  await res.selectOption("#category", "0101");
  await res.fill("#details", "楼道口堆放的垃圾没有清走");
  await res.fill("#phone", phone);
  await Promise.all([res.waitForURL(/\/r\/done/), res.click("button[type=submit].primary")]);
  const number = (await res.textContent("#case-number")).trim();

  // The command center takes it through to closing (steps as in the walk).
  const dctx = await env.context("desktop");
  const d = await dctx.newPage();
  await login(d, url, "dispatcher");
  await d.goto(url + "/cases?q=" + encodeURIComponent("楼道口堆放的垃圾"));
  await Promise.all([d.waitForURL(/\/cases\/\d+/), d.locator(`[data-number="${number}"] a.title`).click()]);
  const caseURL = d.url().split("?")[0];
  await act(d, "accept");
  await act(d, "dispatch");
  const uctx = await env.context("phone");
  const u = await uctx.newPage();
  await login(u, url, "chengguan.lead");
  await u.goto(caseURL);
  await act(u, "sign");
  await act(u, "handle", async (f) => { await f.locator("textarea[name=reason]").fill("已清理"); });
  await d.goto(caseURL);
  await act(d, "verify");
  await act(d, "close");

  await res.goto(url + "/track?number=" + number);
  await res.fill("#phone", phone);
  await res.click("button[type=submit].primary");
  await res.check('input[name=rating][value="unsatisfied"]');
  await res.fill("#comment", "垃圾还在");
  await res.click("form[action='/track/rate'] button.primary");
  await res.locator("#sent-back").waitFor();

  await d.goto(url + "/board");
  await d.locator(`#sec-unsatisfied [data-number="${number}"]`).waitFor();
  await d.goto(caseURL);
  await act(d, "reopen", async (f) => { await f.locator("textarea[name=reason]").fill("居民反映垃圾仍在，重新办理"); });
  assert.equal((await d.textContent("#case-status")).trim(), "已立案");

  await res.goto(url + "/track?number=" + number);
  await res.fill("#phone", phone);
  await res.click("button[type=submit].primary");
  await res.locator("#reopened").waitFor();
  for (const c of [resCtx, dctx, uctx]) await c.close();
});

test("no page loaded anything from outside, and no script failed", () => {
  assert.deepEqual(env.outside, []);
  assert.deepEqual(env.errors, []);
});
