// The duty roster (docs/kinds.md "The roster"): the month on the official
// calendar at phone and desktop size, with the National Day holiday and its
// make-up workdays marked; the dispatcher swaps two officers' days through
// the form (both days change); a swap without a reason is refused in
// Chinese; the duty officer reads the month without the forms.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { start, login, shots } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { if (env) await env.stop(); });

async function noOverflow(page, what, size) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} is ${overflow}px wider than the ${size} screen`);
}

const officers = async (page, date) => (await page.locator(`#d-${date}`).getAttribute("data-officers")).split(",");

test("the dispatcher generates October 2023, then swaps two officers' days with a reason", async () => {
  for (const size of ["phone", "desktop"]) {
    const ctx = await env.context(size);
    const page = await ctx.newPage();
    await login(page, env.url, "dispatcher");
    await page.goto(env.url + "/duty/roster?month=2023-10");
    if (size === "phone") {
      // The rotation: every leader and officer, the first officer on weekdays only.
      const gen = page.locator("#form-generate");
      await gen.locator("summary").click();
      await gen.locator("input[name=from]").fill("2023-10-01");
      await gen.locator("input[name=to]").fill("2023-10-31");
      for (const box of await gen.locator("input[name=leaders], input[name=officers]").all()) await box.check();
      await gen.locator("input[name=weekdays_only]").first().check();
      await gen.locator("input[name=per_shift]").fill("1");
      await Promise.all([page.waitForURL(/done=generate/), gen.locator("button[type=submit]").click()]);
      const weekdaysOnly = await gen.locator("input[name=weekdays_only]").first().getAttribute("value");
      for (const d of ["2023-10-01", "2023-10-02", "2023-10-03", "2023-10-04", "2023-10-05", "2023-10-06"]) {
        assert.ok(!(await officers(page, d)).includes(weekdaysOnly), `the weekday-only officer on ${d}, a holiday`);
      }
    }
    // Two working days whose first officers differ and are not on the other day.
    const days = ["2023-10-09", "2023-10-10", "2023-10-11", "2023-10-12", "2023-10-13"];
    let pair;
    for (let i = 0; i < days.length && !pair; i++) {
      for (let j = i + 1; j < days.length && !pair; j++) {
        const a = await officers(page, days[i]), b = await officers(page, days[j]);
        if (!b.includes(a[0]) && !a.includes(b[0])) pair = [days[i], a[0], days[j], b[0]];
      }
    }
    assert.ok(pair, "two days to swap");
    const [da, a, db, b] = pair;
    const before = [await officers(page, da), await officers(page, db)];
    const form = page.locator("#form-exchange");
    await form.locator("summary").click();
    await form.locator("input[name=date_a]").fill(da);
    await form.locator("select[name=a]").selectOption(a);
    await form.locator("input[name=date_b]").fill(db);
    await form.locator("select[name=b]").selectOption(b);
    // Without a reason: the browser asks for it; sent anyway, the server refuses.
    await form.locator("input[name=reason]").evaluate((el) => el.removeAttribute("required"));
    await Promise.all([page.waitForLoadState("load"), form.locator("button[type=submit]").click()]);
    assert.match(await page.locator("p.error").textContent(), /换班须说明理由/);
    assert.deepEqual([await officers(page, da), await officers(page, db)], before, "a refused swap changed nothing");
    await page.goto(env.url + "/duty/roster?month=2023-10");
    await form.locator("summary").click();
    await form.locator("input[name=date_a]").fill(da);
    await form.locator("select[name=a]").selectOption(a);
    await form.locator("input[name=date_b]").fill(db);
    await form.locator("select[name=b]").selectOption(b);
    await form.locator("input[name=reason]").fill("家中有事，调换值班");
    await Promise.all([page.waitForURL(/done=exchange/), form.locator("button[type=submit]").click()]);
    assert.ok((await officers(page, da)).includes(b), `${b} now on ${da}`);
    assert.ok((await officers(page, db)).includes(a), `${a} now on ${db}`);
    assert.ok(!(await officers(page, da)).includes(a));
    assert.match(await page.locator(`#d-${da} .rswaps`).textContent(), /调整 \d/);
    await noOverflow(page, "/duty/roster (dispatcher)", size);
    await page.screenshot({ path: path.join(shots, `roster-swap-${size}.png`), fullPage: true });
    await ctx.close();
  }
});

test("the duty officer reads October 2023 at phone and desktop size", async () => {
  for (const size of ["phone", "desktop"]) {
    const ctx = await env.context(size);
    const page = await ctx.newPage();
    await login(page, env.url, "duty");
    const resp = await page.goto(env.url + "/duty/roster?month=2023-10");
    assert.equal(resp.status(), 200);
    const oct1 = page.locator("#d-2023-10-01");
    assert.match(await oct1.getAttribute("class"), /\boff\b/);
    assert.match(await oct1.textContent(), /休[\s\S]*国庆节[\s\S]*带班：\S+/);
    assert.match(await page.locator("#d-2023-10-07").getAttribute("class"), /\bmakeup\b/);
    assert.equal(await page.locator("#form-exchange").count(), 0, "the duty officer sees no forms");
    await noOverflow(page, "/duty/roster", size);
    await page.screenshot({ path: path.join(shots, `roster-duty-${size}.png`), fullPage: size === "desktop" });
    await ctx.close();
  }
});
