// Two-factor sign-in in Chromium (issue 18, docs/dengbao.md): a staff
// member enrols an authenticator on a phone (the QR code is drawn by the
// server: nothing comes from the internet), keeps the recovery codes,
// signs out, and signs in again with the password and then a code — the
// password alone opens no session. The audit administrator's trail on a
// desktop. Screenshots at phone and desktop size go to
// test-output/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import path from "node:path";
import { start, login, shots, PASSWORD } from "./harness.mjs";

let env;
before(async () => { env = await start(); });
after(async () => { if (env) await env.stop(); });

// totp is RFC 6238's code of a base32 secret at a time (ms), as an
// authenticator app computes it.
function totp(secret, at) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const h = crypto.createHmac("sha1", key).update(msg).digest();
  const off = h[h.length - 1] & 0xf;
  return String((h.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, "0");
}

async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} is ${overflow}px wider than the screen`);
}

test("a leader enrols an authenticator on a phone and signs in with a code", async () => {
  const ctx = await env.context("phone");
  const page = await ctx.newPage();
  await login(page, env.url, "leader");
  await page.goto(env.url + "/account");
  await page.getByRole("link", { name: /双因素认证/ }).click();
  await page.waitForURL(env.url + "/account/2fa");
  await Promise.all([page.waitForURL(env.url + "/account/2fa"), page.click("#start button[type=submit]")]);
  // The QR code is inline SVG drawn by the server; the key is beside it.
  const svg = page.locator(".totp-qr svg");
  await svg.waitFor();
  const box = await svg.boundingBox();
  assert.ok(box.width >= 150 && box.width <= 390, `QR code ${box.width}px wide`);
  const secret = (await page.locator("code.secret").textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await noOverflow(page, "the enrolment page");
  await page.screenshot({ path: path.join(shots, "twofactor-enrol-phone.png"), fullPage: true });

  // A wrong code is refused at its field; the right one turns it on.
  await page.fill("#code", "000000");
  await page.click("#enrol button[type=submit]");
  await page.getByText("验证码不正确").first().waitFor();
  const now = Date.now();
  await page.fill("#code", totp(secret, now));
  await page.click("#enrol button[type=submit]");
  const codes = (await page.locator("#recovery-codes ul.codes li").allTextContents()).map((s) => s.trim());
  assert.equal(codes.length, 10);
  for (const c of codes) assert.match(c, /^[a-z0-9]{5}-[a-z0-9]{5}$/);
  await noOverflow(page, "the recovery codes");
  await page.screenshot({ path: path.join(shots, "twofactor-recovery-phone.png"), fullPage: true });
  // Shown once: the page again says "on", without the codes or the key.
  await page.goto(env.url + "/account/2fa");
  assert.equal(await page.locator("ul.codes").count(), 0);
  assert.equal(await page.locator("code.secret").count(), 0);
  assert.match(await page.locator("main").textContent(), /剩余恢复码：\s*10/);

  // Sign out; the password alone gives the code form, not a session.
  await page.context().clearCookies();
  await page.goto(env.url + "/login");
  await page.fill("#username", "leader");
  await page.fill("#password", PASSWORD);
  await page.click("button[type=submit].primary");
  await page.locator("#code").waitFor();
  assert.equal(await page.locator("input[name=challenge]").count(), 1);
  assert.ok(new URL(page.url()).pathname.startsWith("/login"));
  const me = await page.request.get(env.url + "/api/v1/me");
  assert.equal(me.status(), 401, "a session after the password alone");
  await noOverflow(page, "the code form");
  await page.screenshot({ path: path.join(shots, "twofactor-code-phone.png") });
  // The enrolment used this step's code: the next step's is accepted.
  await page.fill("#code", totp(secret, now + 30000));
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit].primary")]);
  assert.equal((await page.request.get(env.url + "/api/v1/me")).status(), 200);
  await ctx.close();
});

test("the enrolment and the code form on a desktop; the audit administrator's trail", async () => {
  const ctx = await env.context("desktop");
  const page = await ctx.newPage();
  await login(page, env.url, "security");
  await page.goto(env.url + "/account/2fa");
  await Promise.all([page.waitForURL(env.url + "/account/2fa"), page.click("#start button[type=submit]")]);
  await page.locator(".totp-qr svg").waitFor();
  await page.screenshot({ path: path.join(shots, "twofactor-enrol-desktop.png"), fullPage: true });
  // The security administrator's pages are staff and roles, nothing else.
  assert.equal((await page.goto(env.url + "/cases")).status(), 403);
  assert.equal((await page.goto(env.url + "/admin/staff")).status(), 200);
  await ctx.close();

  const actx = await env.context("desktop");
  const ap = await actx.newPage();
  await login(ap, env.url, "audit");
  assert.equal(new URL(ap.url()).pathname, "/audit");
  await Promise.all([ap.waitForURL(env.url + "/audit/verify"), ap.click("form[action='/audit/verify'] button")]);
  await ap.locator("#verify-result").waitFor();
  const rows = await ap.locator("#audit-table tbody tr").count();
  assert.ok(rows > 1);
  assert.match(await ap.locator("#audit-table").textContent(), /audit\.verify/);
  await ap.screenshot({ path: path.join(shots, "audit-trail-desktop.png") });
  assert.equal((await ap.goto(env.url + "/dashboard")).status(), 403);
  await actx.close();
  assert.deepEqual(env.outside, [], "requests outside jiedao");
  assert.deepEqual(env.errors, []);
});
