// The desks of the case kinds with legal clocks (docs/kinds.md): each
// officer's desk at phone and desktop size with the clocks' countdowns and
// their articles; a petition registered and accepted through the forms; a
// step refused with its reason in Chinese; an enforcement document printed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, shots } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { if (env) await env.stop(); });

const desks = [
  { user: "mediator", kind: "dispute" },
  { user: "petition", kind: "petition" },
  { user: "enforcement", kind: "enforcement" },
  { user: "duty", kind: "duty" },
];

async function noOverflow(page, what, size) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} is ${overflow}px wider than the ${size} screen`);
}

for (const d of desks) {
  test(`${d.user}: /desk/${d.kind} at phone and desktop size`, async () => {
    for (const size of ["phone", "desktop"]) {
      const ctx = await env.context(size);
      const page = await ctx.newPage();
      await login(page, env.url, d.user);
      // Signing in lands on the officer's own desk.
      assert.equal(new URL(page.url()).pathname, `/desk/${d.kind}`);
      const resp = await page.goto(env.url + `/desk/${d.kind}?all=1`);
      assert.equal(resp.status(), 200);
      await page.locator("#desk-rows li").first().waitFor();
      if (d.kind === "duty") {
        // Who is on duty now, from the roster on the official calendar.
        assert.match(await page.locator("#shift").textContent(), /带班领导：\S+[\s\S]*值班员：\S+、\S+/);
      }
      const total = Number(await page.locator("#desk-total").textContent());
      assert.ok(total > 0, `the demo year has ${d.kind} cases`);
      await noOverflow(page, `/desk/${d.kind}`, size);
      await page.screenshot({ path: path.join(shots, `desk-${d.kind}-${size}.png`) });
      // A case of the desk with its clocks, each citing its article.
      await page.locator("#desk-rows li a").first().click();
      await page.locator("#clocks").waitFor();
      const notices = await page.locator("#clocks .article").allTextContents();
      for (const n of notices) assert.match(n, /依据《|依据/, `a clock notice without its article: ${n}`);
      await noOverflow(page, `a ${d.kind} case`, size);
      await page.screenshot({ path: path.join(shots, `desk-${d.kind}-case-${size}.png`), fullPage: true });
      await ctx.close();
    }
  });
}

async function step(page, action, fill) {
  const d = page.locator(`details[data-action="${action}"]`);
  if ((await d.getAttribute("open")) === null) await d.locator("summary").click();
  if (fill) await fill(d);
  await Promise.all([page.waitForLoadState("load"), d.locator("button[type=submit]").click()]);
}

test("a petition registered, accepted, and a refused step", async () => {
  const ctx = await env.context("phone");
  const page = await ctx.newPage();
  await login(page, env.url, "petition");
  await page.locator("details.kind-form summary").click();
  await page.selectOption("select[name=level]", "city");
  await page.fill("input[name=petitioner_name]", "测试人");
  await page.fill("input[name=petitioner_id]", "330106199912311234");
  await page.fill("textarea[name=details]", "反映小区噪声扰民长期未解决");
  await Promise.all([page.waitForURL(/\/desk\/petition\/\d+$/), page.click("details.kind-form button[type=submit]")]);
  const accept = page.locator('#clocks [data-clock="petition.accept"]');
  await accept.waitFor();
  assert.match(await accept.textContent(), /告知是否受理[\s\S]*《信访工作条例》第三十条/);
  assert.equal(await accept.getAttribute("data-status"), "running");
  await step(page, "accept");
  await page.waitForURL(/done=accept/);
  await step(page, "petition_accept");
  await page.waitForURL(/done=petition_accept/);
  assert.equal(await page.locator('#clocks [data-clock="petition.accept"]').getAttribute("data-status"), "met");
  assert.match(await page.locator('#clocks [data-clock="petition.handle"]').textContent(), /办结并书面答复[\s\S]*第三十二条/);
  // The officer cannot approve his own extension: no such form for him.
  assert.equal(await page.locator('details[data-action="clock_extend"]').count(), 0);
  // An answer without its opinion is refused, with the reason, and nothing changes.
  const before = await page.locator("#history li").count();
  await step(page, "petition_answer", async (d) => {
    await d.locator("select[name=opinion]").evaluate((s) => { s.innerHTML = '<option value="maybe">maybe</option>'; });
  });
  await page.locator("p.error").waitFor();
  assert.match(await page.locator("p.error").textContent(), /处理意见应为/);
  assert.equal(await page.locator("#history li").count(), before);
  await page.screenshot({ path: path.join(shots, "desk-petition-refused-phone.png"), fullPage: true });
  await ctx.close();
});

test("an enforcement document prints", async () => {
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "enforcement");
  await page.goto(env.url + "/cases?kind=enforcement&tag=sub:penalty&status=closed");
  const href = await page.locator('a[href^="/cases/"]').first().getAttribute("href");
  const id = href.split("/")[2].split("?")[0];
  await page.goto(env.url + `/desk/enforcement/${id}`);
  const docs = await page.locator("#docs li").allTextContents();
  assert.deepEqual(docs.map((t) => t.trim().split(/\s/)[0]), ["立案审批表", "告知书", "处罚决定书", "结案报告"]);
  await page.locator("#docs a").nth(2).click();
  await page.locator("#document").waitFor();
  assert.match(await page.locator("#document .docno").first().textContent(), /^古综执罚决〔\d{4}〕\d{8}-\d{4}号$/);
  assert.ok((await page.locator("#services tr").count()) >= 2, "the decision's proof of service");
  await page.screenshot({ path: path.join(shots, "enforcement-decision-desktop.png"), fullPage: true });
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator("header").first().isVisible(), false, "the page header prints");
  await page.screenshot({ path: path.join(shots, "enforcement-decision-print.png"), fullPage: true });
  await ctx.close();
});

test("no desk loaded anything from outside, and no script failed", () => {
  assert.deepEqual(env.outside, []);
  assert.deepEqual(env.errors, []);
});
