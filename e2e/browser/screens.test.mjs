// Screenshots of each role's main page at phone (390×844) and desktop
// (1440×900) size, written to test-output/screenshots/ (see the README),
// on a generated demo year: real data, Chinese text, the real layout.
// Each page must also render without script errors or outside requests.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, seed, shots } from "./harness.mjs";

let env;
before(async () => { env = await start(); await seed(env.url); });
after(async () => { if (env) await env.stop(); });

const pages = [
  { role: "resident", path: "/r/wenhua-01", ready: "#category" },
  { role: "dispatcher", user: "dispatcher", path: "/board", ready: "#live.on" },
  { role: "dispatcher-map", user: "dispatcher", path: "/map", ready: "#map[data-loaded]" },
  { role: "unit", user: "chengguan.1", path: "/inbox", ready: "#sec-sign" },
  { role: "grid-worker", user: "grid.wenhua-01", path: "/grid", ready: "#sec-verify" },
  // The generated year (2023), not the few seeded cases of today.
  { role: "leader", user: "leader", path: "/dashboard?year=2023", ready: "#chart-by-month[data-drawn]" },
  { role: "admin", user: "admin", path: "/admin", ready: "#map[data-loaded]" },
  { role: "community", user: "community", path: "/cases", ready: "main h1" },
  // Every staff member's own page: sessions, sign-in history, sign out everywhere.
  { role: "account", user: "dispatcher", path: "/account", ready: "main h1" },
];

for (const pg of pages) {
  test(`${pg.role}: ${pg.path} at phone and desktop size`, async () => {
    for (const size of ["phone", "desktop"]) {
      const ctx = await env.context(size);
      const page = await ctx.newPage();
      if (pg.user) await login(page, env.url, pg.user);
      const resp = await page.goto(env.url + pg.path);
      assert.equal(resp.status(), 200, `${pg.path} as ${pg.user || "resident"}`);
      await page.locator(pg.ready).first().waitFor({ timeout: 15000 });
      await page.evaluate(() => document.fonts.ready);
      // Nothing wider than the screen: no sideways scrolling on a phone.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${pg.path} is ${overflow}px wider than the ${size} screen`);
      await page.screenshot({ path: path.join(shots, `${pg.role}-${size}.png`) });
      await ctx.close();
    }
  });
}

test("the English switch, on every page's header", async () => {
  const ctx = await env.context("phone");
  const page = await ctx.newPage();
  await page.goto(env.url + "/r/wenhua-01");
  await page.click("a.lang");
  await page.getByText("Report a problem").first().waitFor();
  await page.screenshot({ path: path.join(shots, "resident-english-phone.png") });
  await page.click("a.lang");
  await page.getByText("我要上报").first().waitFor();
  await ctx.close();
});

test("no page loaded anything from outside, and no script failed", () => {
  assert.deepEqual(env.outside, []);
  assert.deepEqual(env.errors, []);
});
