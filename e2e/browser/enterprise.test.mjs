// The building economy and the enterprise service in a browser, on the
// generated demo year: the dashboard's tiers drill down to exactly the
// buildings they count, a building's profile, a figure of the report
// followed to its records, and the enterprise service worker's visit plan
// on a phone with its visit form. Screenshots at phone and desktop size go
// to test-output/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, shots } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { if (env) await env.stop(); });

async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} is ${overflow}px wider than the screen`);
}

test("the building-economy dashboard and a building's profile", async () => {
  for (const size of ["phone", "desktop"]) {
    const ctx = await env.context(size);
    const page = await ctx.newPage();
    await login(page, env.url, "leader");
    const resp = await page.goto(env.url + "/buildings/economy?year=2023");
    assert.equal(resp.status(), 200);
    await page.locator("#economy-map[data-drawn]").waitFor({ timeout: 15000 });
    const drawn = Number(await page.locator("#economy-map").getAttribute("data-drawn"));
    assert.equal(drawn, 40, "every building on the map");
    // The work report's tiers for 2023.
    assert.equal(await page.locator('[data-figure="buildings.tax_10m"] b').textContent(), "24");
    assert.equal(await page.locator('[data-figure="buildings.tax_100m"] b').textContent(), "8");
    assert.equal(await page.locator('[data-figure="buildings.hq_100m"] b').textContent(), "1");
    await noOverflow(page, "/buildings/economy");
    await page.screenshot({ path: path.join(shots, `enterprise-economy-${size}.png`), fullPage: size === "desktop" });

    // A tier's figure lists exactly the buildings it counts.
    await Promise.all([page.waitForURL((u) => u.searchParams.get("tier") === "tax_100m"), page.click('[data-figure="buildings.tax_100m"]')]);
    assert.equal(await page.locator("table[data-records] tr[data-record]").count(), 8);

    // The first of them: its profile with the tenants that make its tier.
    const first = page.locator("table[data-records] tr[data-record] a").first();
    const name = await first.textContent();
    await Promise.all([page.waitForURL(/\/buildings\/\d+/), first.click()]);
    assert.equal((await page.locator("main h1").textContent()).trim(), name.trim());
    await page.getByText("支撑层级的企业").waitFor();
    assert.ok(await page.locator("table[data-floors] tr[data-floor]").count() > 0, "tenants by floor");
    await noOverflow(page, "a building's page");
    await page.screenshot({ path: path.join(shots, `enterprise-building-${size}.png`), fullPage: size === "desktop" });
    await ctx.close();
  }
});

test("a figure of the report followed to its records", async () => {
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "leader");
  // enterprise.visits: 4387 visits in 2023, listed 100 a page.
  await page.goto(env.url + "/enterprises/visits?from=2023-01-01&to=2024-01-01");
  assert.match(await page.locator("main h1").textContent(), /4387/);
  assert.equal(await page.locator("table[data-records] tr[data-record]").count(), 100);
  // enterprise.high_tech: 38 certifications granted in 2023.
  await page.goto(env.url + "/enterprises/certifications?kind=high_tech&from=2023-01-01&to=2024-01-01");
  assert.equal(await page.locator("table[data-records] tr[data-record]").count(), 38);
  // From a certification to its enterprise's profile.
  const link = page.locator("table[data-records] tr[data-record] a").first();
  await Promise.all([page.waitForURL(/\/enterprises\/\d+$/), link.click()]);
  await page.getByText("国家高新技术企业").first().waitFor();
  await ctx.close();
});

test("the enterprise service's visit plan on a phone, with a visit recorded", async () => {
  const ctx = await env.context("phone");
  const page = await ctx.newPage();
  await login(page, env.url, "qf.1");
  assert.equal(new URL(page.url()).pathname, "/enterprises/plan", "the enterprise service's home");
  await noOverflow(page, "/enterprises/plan");
  await page.screenshot({ path: path.join(shots, "enterprise-plan-phone.png") });
  await page.locator("li.plan a.button").first().click();
  await page.locator("#visit-form").waitFor();
  await page.fill("#findings", "了解企业扩租需求，推荐楼宇空间");
  await page.screenshot({ path: path.join(shots, "enterprise-visit-form-phone.png") });
  await Promise.all([page.waitForURL((u) => u.searchParams.has("done")), page.click("#visit-form button[type=submit]")]);
  await page.getByText("已记录走访").waitFor();
  await ctx.close();
});

test("the enterprise service imports a file with a dry run first, on a phone and a desktop", async () => {
  for (const size of ["phone", "desktop"]) {
    const ctx = await env.context(size);
    const page = await ctx.newPage();
    await login(page, env.url, "qf.1");
    await page.goto(env.url + "/enterprises/import?kind=tax");
    await noOverflow(page, "/enterprises/import");
    const csv = "统一社会信用代码,所属期,税额\n91350100M000100Y43,2023-13,12.5\n";
    await page.setInputFiles("#file", { name: "tax.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await Promise.all([page.waitForLoadState("load"), page.click("#import-form button[type=submit]")]);
    await page.locator("#import-errors").waitFor();
    const rows = await page.locator("#import-errors tbody tr").count();
    assert.ok(rows >= 1, "the bad row is listed");
    assert.equal(await page.locator("#import-errors tbody tr td").first().textContent(), "2", "row 2 named");
    await noOverflow(page, "the import errors");
    await page.screenshot({ path: path.join(shots, `enterprise-import-${size}.png`), fullPage: size === "desktop" });
    await ctx.close();
  }
});

test("no page loaded anything from outside, and no script failed", () => {
  assert.deepEqual(env.outside, []);
  assert.deepEqual(env.errors, []);
});
