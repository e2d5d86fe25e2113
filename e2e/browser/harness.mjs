// Starts jiedao on a small generated demo database and Debian's chromium,
// for the browser tests. Every request a page makes is checked: anything
// not addressed to the jiedao under test is refused and recorded, so the
// tests also prove that the pages load nothing from the internet.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const PASSWORD = "Gudang-Demo-2023"; // demo.Password
export const shots = path.resolve(process.env.JIEDAO_SCREENSHOTS || "../../test-output/screenshots");
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1440, height: 900 } };

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on("error", reject);
  });
}

async function waitHealthy(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try { if ((await fetch(url + "/healthz")).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("jiedao did not become healthy at " + url);
}

// start builds the demo (with demoArgs added to `jiedao demo`, such as
// --district) and serves it.
export async function start(demoArgs = []) {
  const bin = process.env.JIEDAO_BIN;
  if (!bin) throw new Error("JIEDAO_BIN must name the jiedao binary (scripts/test builds it)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "jiedao-e2e-"));
  const db = path.join(dir, "demo.db");
  // A small generated year: real organisation, accounts and cases.
  execFileSync(bin, ["demo", "--db", db, "--scale", "0.02", "--serve=false", "--log-level", "warn", ...demoArgs], { stdio: "inherit" });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Every role signs in from this one address, more often than the
  // sign-in rate limit allows a real client.
  const proc = spawn(bin, ["serve", "--db", db, "--addr", `127.0.0.1:${port}`, "--demo-logins", "--log-level", "warn", "--rate-login", "off"],
    { stdio: ["ignore", "inherit", "inherit"] });
  let browser;
  try {
    await waitHealthy(url, 30000);
    // Chromium now and then dies at launch (SIGSEGV) on a loaded machine;
    // that is not what these tests test, so it is tried three times.
    for (let attempt = 1; !browser; attempt++) {
      try {
        browser = await chromium.launch({
          executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
          args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"],
          // Playwright gives every launch a fresh --user-data-dir of its own
          // in a temporary folder (and refuses one passed here), so no
          // profile state carries over between runs.
        });
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
  } catch (e) {
    // Without this, a failed start leaves serve running and the test file
    // never ends.
    proc.kill("SIGKILL");
    throw e;
  }
  mkdirSync(shots, { recursive: true });
  const outside = [];
  const errors = [];
  async function context(kind, opts = {}) {
    const ctx = await browser.newContext({ ...(kind === "phone" ? PHONE : DESKTOP), locale: "zh-CN", timezoneId: "Asia/Shanghai", ...opts });
    ctx.setDefaultTimeout(10000);
    await ctx.route("**/*", (route) => {
      const u = route.request().url();
      if (u.startsWith(url + "/") || u === url || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
      outside.push(u);
      return route.abort("blockedbyclient");
    });
    ctx.on("page", (p) => {
      p.on("pageerror", (e) => errors.push(`${p.url()}: ${e.message}`));
      // A page the test expects to be refused (another unit's case, a wrong
      // phone number) logs its own 4xx; any other failed resource counts.
      p.on("console", (m) => {
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`${p.url()}: console: ${m.text()}`);
      });
      p.on("response", (r) => {
        if (r.status() >= 400 && r.request().resourceType() !== "document") errors.push(`${r.url()}: ${r.status()}`);
      });
    });
    return ctx;
  }
  async function stop() {
    await browser.close();
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
  return { url, browser, context, stop, outside, errors };
}

// login signs a context's page in through the login form.
export async function login(page, url, username) {
  await page.goto(url + "/login");
  await page.fill("#username", username);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit].primary")]);
}

// act opens an action's form on the case page (if closed) and submits it.
export async function act(page, action, fill) {
  const d = page.locator(`details[data-action="${action}"]`);
  if ((await d.getAttribute("open")) === null) await d.locator("summary").click();
  if (fill) await fill(d);
  await Promise.all([page.waitForURL((u) => u.searchParams.get("done") === action), d.locator(`button[name=do]`).click()]);
}

// seed makes the demo's present: a few reports from today through the JSON
// API, some accepted and dispatched to their suggested unit and one signed
// for, so that the board, the inboxes and the map show live work (the
// generated year is a past one, all of it done).
export async function seed(url) {
  async function call(token, method, p, body) {
    const r = await fetch(url + p, {
      method, body: body && JSON.stringify(body),
      headers: { "Content-Type": "application/json", ...(token ? { Authorization: "Bearer " + token } : {}) },
    });
    const j = await r.json();
    if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(j)}`);
    return j;
  }
  const login = async (u) => (await call("", "POST", "/api/v1/login", { username: u, password: PASSWORD })).token;
  const disp = await login("dispatcher");
  const reports = [
    ["0101", "垃圾桶满溢，周边散落生活垃圾", 0.2, 0.3], ["0302", "路灯不亮，夜间行人看不清路", 0.45, 0.55],
    ["0203", "非机动车乱停放堵住盲道", 0.7, 0.2], ["0402", "楼下商铺音响声音过大", 0.3, 0.8],
    ["0101", "绿化带里有建筑垃圾", 0.15, 0.25], ["0301", "人行道井盖松动有响声", 0.6, 0.65],
    ["0504", "消防通道被车辆占用", 0.85, 0.4], ["0602", "小区电梯停运无人处理", 0.5, 0.1],
  ];
  const cases = [];
  for (const [category, details, fx, fy] of reports) {
    cases.push(await call("", "POST", "/api/v1/cases", {
      category, details, lat: 30.2710 + 0.0180 * fy, lon: 120.1080 + 0.0239 * fx,
      reporter: { name: "陈女士", phone: "1370000" + String(1000 + cases.length) },
    }));
  }
  for (const c of cases.slice(0, 6)) {
    await call(disp, "POST", `/api/v1/cases/${c.id}/steps`, { action: "accept" });
    if (c.suggested_unit_id && cases.indexOf(c) < 5) {
      await call(disp, "POST", `/api/v1/cases/${c.id}/steps`, { action: "dispatch", unit_id: c.suggested_unit_id });
    }
  }
  const unit = await login("chengguan.1");
  await call(unit, "POST", `/api/v1/cases/${cases[0].id}/steps`, { action: "sign" });
  // Two in grid wenhua-01, for its grid worker: one handled, awaiting his
  // verification; one dispatched.
  const grids = await call(disp, "GET", "/api/v1/grids");
  const w1 = (grids.grids || grids).find((g) => g.code === "wenhua-01");
  for (const [details, handled] of [["路边垃圾桶破损，垃圾外溢", true], ["共享单车堆积占用人行道", false]]) {
    const c = await call("", "POST", "/api/v1/cases", { category: handled ? "0101" : "0204", details, grid_id: w1.id, reporter: { phone: "13700009999" } });
    await call(disp, "POST", `/api/v1/cases/${c.id}/steps`, { action: "accept" });
    await call(disp, "POST", `/api/v1/cases/${c.id}/steps`, { action: "dispatch", unit_id: c.suggested_unit_id });
    if (handled) {
      await call(unit, "POST", `/api/v1/cases/${c.id}/steps`, { action: "sign" });
      await call(unit, "POST", `/api/v1/cases/${c.id}/steps`, { action: "handle", reason: "已更换垃圾桶并清理" });
    }
    cases.push(c);
  }
  return cases;
}
