// The work report's page (docs/report.md) on a small generated demo year
// (2023): a leader opens /report?year=2023, follows three figures to the
// records they count, and each list holds as many records as the figure
// says; the page fits a phone and a desktop, and its Word download is a
// DOCX. Screenshots go to test-output/screenshots/report-*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, shots } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { if (env) await env.stop(); });

test("a leader follows three figures of /report?year=2023 to their records", async () => {
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "leader");
  const resp = await page.goto(env.url + "/report?year=2023");
  assert.equal(resp.status(), 200);
  await page.locator("table.report-figs").first().waitFor();
  // The two years side by side.
  const head = await page.locator("table.report-figs thead").first().innerText();
  assert.match(head, /2023/);
  assert.match(head, /2022/);
  for (const key of ["cases.pingan.handled", "cases.grid.handled", "cases.iot.dispatched"]) {
    await page.goto(env.url + "/report?year=2023");
    const link = page.locator(`table.report-figs a.fig[data-key="${key}"]`);
    const shown = Number((await link.innerText()).trim());
    assert.ok(shown > 0, `${key} is ${shown} on the demo year`);
    assert.equal(Number(await link.getAttribute("data-value")), shown);
    assert.ok((await link.getAttribute("title")).length > 10, `${key} has its definition`);
    await Promise.all([page.waitForURL((u) => u.pathname === "/cases"), link.click()]);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("from"), "2023-01-01", `${key}: ${url}`);
    const h1 = await page.locator("main h1 span").first().innerText();
    const total = Number(h1.replace(/[^0-9]/g, ""));
    assert.equal(total, shown, `${key}: the figure says ${shown}, its list ${url.search} holds ${total}`);
  }
  // The figure in the document's text links to the same records.
  await page.goto(env.url + "/report?year=2023");
  const inText = page.locator(".report-doc a.fig", { hasText: /^\d+$/ }).first();
  assert.match(await inText.getAttribute("href"), /^\/cases\?/);
  // The Word download.
  const docx = await page.request.get(env.url + "/report/export.docx?year=2023");
  assert.equal(docx.status(), 200);
  assert.match(docx.headers()["content-type"], /wordprocessingml/);
  const bytes = await docx.body();
  assert.equal(bytes.subarray(0, 2).toString(), "PK");
  await ctx.close();
});

test("the report, the template editor and the draft check at phone and desktop size", async () => {
  for (const [user, p, name, ready] of [
    ["leader", "/report?year=2023", "report", "table.report-figs"],
    ["admin", "/report/template", "report-template", "#template-form"],
    ["leader", "/report/check?year=2023", "report-check", "#check-form"],
  ]) {
    for (const size of ["phone", "desktop"]) {
      const ctx = await env.context(size);
      const page = await ctx.newPage();
      await login(page, env.url, user);
      const resp = await page.goto(env.url + p);
      assert.equal(resp.status(), 200, p);
      await page.locator(ready).first().waitFor();
      if (name === "report-check") {
        await page.fill("#ck-text", "今年累计流转签收西湖码4317件，评价满意率98.63%，处置平安通34536件、网格通7915件。");
        await Promise.all([page.waitForLoadState("load"), page.click("#check-form button[type=submit]")]);
        await page.locator("#check-results").waitFor();
        assert.equal(await page.locator("#check-results tbody tr").count(), 4);
      }
      await page.evaluate(() => document.fonts.ready);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${p} is ${overflow}px wider than the ${size} screen`);
      await page.screenshot({ path: path.join(shots, `${name}-${size}.png`), fullPage: size === "phone" ? false : true });
      await ctx.close();
    }
  }
});

test("no page loaded anything from outside, and no script failed", () => {
  assert.deepEqual(env.outside, []);
  assert.deepEqual(env.errors, []);
});
