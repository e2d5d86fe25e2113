// The district (docs/jurisdictions.md) on a small `demo --district`: the
// district's leader opens the dashboard of the whole district with each
// subdistrict side by side, chooses 西溪街道 in the 街道 selector and sees
// its own dashboard; a subdistrict's leader asking for another's gets 404.
// Screenshots go to test-output/screenshots/district-*.png.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, shots } from "./harness.mjs";

let env;
before(async () => { env = await start(["--district"]); });
after(async () => { if (env) await env.stop(); });

for (const kind of ["desktop", "phone"]) {
  test(`the district's dashboard, whole and narrowed (${kind})`, async () => {
    const ctx = await env.context(kind);
    const page = await ctx.newPage();
    await login(page, env.url, "district.leader");
    assert.equal((await page.goto(env.url + "/dashboard?year=2023")).status(), 200);
    assert.match(await page.locator("main h1").innerText(), /西湖区/);
    const rows = page.locator("#subdistrict-table tbody tr");
    assert.equal(await rows.count(), 3);
    const names = await page.locator("#subdistrict-table tbody td:first-child").allInnerTexts();
    assert.deepEqual(names.toSorted(), ["北山街道", "古荡街道", "西溪街道"].toSorted());
    // No table wider than the screen pushes the page sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page scrolls sideways by ${overflow}px`);
    await page.locator("#subdistricts").screenshot({ path: path.join(shots, `district-dashboard-${kind}.png`) });
    await Promise.all([page.waitForURL((u) => u.searchParams.get("jurisdiction") === "330106008"),
      page.selectOption("#jurisdiction", "330106008")]);
    assert.match(await page.locator("main h1").innerText(), /西溪街道/);
    assert.equal(await page.locator("#subdistrict-table").count(), 0);
    await page.screenshot({ path: path.join(shots, `district-xixi-${kind}.png`) });
    await ctx.close();
  });
}

test("a subdistrict's leader sees his own only", async () => {
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "xixi.leader");
  assert.equal((await page.goto(env.url + "/dashboard?year=2023")).status(), 200);
  assert.match(await page.locator("main h1").innerText(), /西溪街道/);
  assert.equal(await page.locator("#jurisdiction").count(), 0);
  assert.equal((await page.goto(env.url + "/dashboard?jurisdiction=330106007")).status(), 404);
  await ctx.close();
});

test("no page of the district loaded anything from outside", () => {
  assert.deepEqual(env.outside, []);
});
