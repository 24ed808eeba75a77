// End-to-end: safetrace's phone form and dashboard in headless Chromium (Debian's
// `chromium`, driven by playwright-core), against a real safetrace binary on a fresh data
// directory and a free port.
//
// How "offline" is made: the browser's offline switch does not cover every fetch a service
// worker makes, so the test cuts the API with request routing instead
// (`context.route('**/api/v1/**')`). That covers every API request because of how the app
// is built: the service worker only caches the app shell and never handles /api/ requests,
// and the outbox is sent by the page itself, so each API request is a request of the page,
// which the route sees.
//
// Run: `npm ci && npm test` in web/ (SAFETRACE_BIN=path/to/safetrace to choose the binary;
// default: the newest of target/debug and target/release). CHROMIUM=/usr/bin/chromium.
// Screenshots go to docs/screenshots/ (SAFETRACE_SCREENSHOTS=<dir> elsewhere, =0 none).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Where screenshots go: docs/screenshots/ unless SAFETRACE_SCREENSHOTS names another
// directory ('0': none).
const SHOTS = process.env.SAFETRACE_SCREENSHOTS && process.env.SAFETRACE_SCREENSHOTS !== '0'
  ? path.resolve(process.env.SAFETRACE_SCREENSHOTS)
  : path.join(ROOT, 'docs', 'screenshots');
const ADMIN_PASSWORD = 'e2e-office-secret-2026';
const INSPECTOR = { username: 'zhangsan', password: 'jinmao-road-2026', display_name: '张三' };
const SUPERVISOR = { username: 'lisi', password: 'jinmao-lead-2026', display_name: '李四' };
const PHONE = { width: 360, height: 740 };
const TZ = 'Asia/Shanghai';

// ---------------------------------------------------------------------------------------
// The server

function binary() {
  if (process.env.SAFETRACE_BIN) return path.resolve(process.env.SAFETRACE_BIN);
  const found = ['release', 'debug']
    .map((p) => path.join(ROOT, 'target', p, 'safetrace'))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (found.length === 0) throw new Error('no safetrace binary: run `cargo build` first or set SAFETRACE_BIN');
  return found[0];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server;
let serverLog = '';
let dataDir;
let base;
let browser;

async function startServer() {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'safetrace-e2e-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, SAFETRACE_BIND: `127.0.0.1:${port}`, SAFETRACE_DATA_DIR: dataDir, SAFETRACE_ADMIN_PASSWORD: ADMIN_PASSWORD, SAFETRACE_LOG: 'warn', SAFETRACE_WORKERS: '2' };
  delete env.DATABASE_URL;
  server = spawn(binary(), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => { serverLog += d; });
  server.stderr.on('data', (d) => { serverLog += d; });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`safetrace exited: ${serverLog}`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`safetrace did not come up: ${serverLog}`);
}

async function call(method, p, token, body) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}/api/v1${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

async function ok(method, p, token, body) {
  const r = await call(method, p, token, body);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// ---------------------------------------------------------------------------------------
// Test data

/** Today in the office's zone, and days around it. */
function officeDate(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** A small PNG (an orange "gas hose" picture), made here: no fixture files. */
function png(width, height, paint) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = paint(x, y);
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const hosePhoto = png(160, 120, (x, y) => {
  const hose = Math.abs(y - 60 - 18 * Math.sin(x / 18)) < 9;
  return hose ? [230, 120, 30] : [70 + (y >> 2), 90 + (x >> 3), 110];
});
const fixedPhoto = png(160, 120, (x, y) => {
  const hose = Math.abs(y - 60 - 18 * Math.sin(x / 18)) < 9;
  return hose ? [40, 160, 70] : [70 + (y >> 2), 90 + (x >> 3), 110];
});

const ids = {};

async function seed() {
  const admin = await ok('POST', '/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD });
  ids.admin = admin.token;
  const A = ids.admin;
  ids.jml = (await ok('POST', '/communities', A, { name: '金茂路社区', code: 'JML' })).id;
  ids.bs = (await ok('POST', '/communities', A, { name: '白沙社区', code: 'BS' })).id;
  ids.restaurant = (await ok('POST', '/units', A, { community_id: ids.jml, name: '湘味小厨', kind: 'restaurant', address: '金茂路12号', contact_phone: '138-0000-0000' })).id;
  ids.shop = (await ok('POST', '/units', A, { community_id: ids.jml, name: '金茂便利店', kind: 'shop', address: '金茂路20号' })).id;
  ids.factory = (await ok('POST', '/units', A, { community_id: ids.bs, name: '白沙五金厂', kind: 'factory', address: '白沙路8号' })).id;
  ids.campaign = (await ok('POST', '/campaigns', A, { name: '燃气安全专项行动', starts_on: officeDate(-30), ends_on: officeDate(60) })).id;
  ids.inspector = (await ok('POST', '/users', A, { ...INSPECTOR, role: 'inspector', community_ids: [ids.jml] })).id;
  ids.supervisor = (await ok('POST', '/users', A, { ...SUPERVISOR, role: 'supervisor' })).id;
  // Earlier work, so the dashboard has more than one bar: a factory in 白沙 inspected three
  // days ago (one hazard overdue, one fixed on the spot), a shop in 金茂路 yesterday.
  const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
  await ok('POST', '/inspections', A, {
    unit_id: ids.factory, inspected_at: threeDaysAgo, inspectors: ['王五'], leader_led: false,
    hazards: [
      { category: 'electrical', level: 'major', handling_type: 'deadline', description: '配电箱线路私拉乱接', deadline: officeDate(-2) },
      { category: 'fire_equipment', level: 'general', handling_type: 'on_the_spot', description: '灭火器压力不足', note: '当场更换灭火器' },
      { category: 'evacuation', level: 'general', handling_type: 'deadline', description: '安全出口指示灯损坏', deadline: officeDate(10) },
    ],
  });
  await ok('POST', '/inspections', A, {
    unit_id: ids.shop, inspected_at: new Date(Date.now() - 86_400_000).toISOString(), inspectors: ['张三'], leader_led: false,
    hazards: [{ category: 'fire_separation', level: 'general', handling_type: 'on_the_spot', description: '仓储区与营业区未分隔', note: '当场清理堆放物' }],
  });
}

// ---------------------------------------------------------------------------------------
// The browser

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--lang=zh-CN'];

/** A phone-sized context whose API requests pass through `net` (see the top of the file). */
async function phoneContext() {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: TZ, acceptDownloads: true });
  const state = { blocked: false, dropNextInspectionAck: false, changePasswordFirst: false, log: [] };
  await context.route('**/api/v1/**', async (route) => {
    const req = route.request();
    const p = new URL(req.url()).pathname;
    if (state.blocked) {
      state.log.push({ method: req.method(), path: p, status: 'blocked' });
      await route.abort('internetdisconnected');
      return;
    }
    const stillAllowed = ['GET /api/v1/auth/me', 'POST /api/v1/auth/password', 'POST /api/v1/auth/logout'].includes(`${req.method()} ${p}`);
    if (state.changePasswordFirst && !stillAllowed) {
      // As the server answers a user who must change their password first.
      state.log.push({ method: req.method(), path: p, status: 403 });
      await route.fulfill({
        status: 403,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: '/problems/password-change-required', title: 'Password change required', status: 403, detail: 'change your password first (POST /api/v1/auth/password)' }),
      });
      return;
    }
    if (state.changePasswordFirst && p === '/api/v1/auth/password') state.changePasswordFirst = false;
    if (req.method() !== 'POST') {
      await route.continue();
      return;
    }
    const response = await route.fetch();
    if (p === '/api/v1/inspections' && state.dropNextInspectionAck) {
      // The server has stored it; its answer never reaches the page.
      state.dropNextInspectionAck = false;
      state.log.push({ method: 'POST', path: p, status: response.status(), dropped: true });
      await route.abort('connectionreset');
      return;
    }
    state.log.push({ method: 'POST', path: p, status: response.status() });
    await route.fulfill({ response });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text()); });
  return { context, page, net: state, errors };
}

async function login(page, who) {
  await page.locator('#login-form input[name=username]').fill(who.username);
  await page.locator('#login-form input[name=password]').fill(who.password);
  await page.locator('#login-form button[type=submit]').click();
}

/** A full-page screenshot that shows the fixed bars where a phone shows them. */
async function screenshot(page, name) {
  if (process.env.SAFETRACE_SCREENSHOTS === '0') return;
  await mkdir(SHOTS, { recursive: true });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: PHONE.width, height: Math.min(Math.max(height, PHONE.height), 4000) });
  await page.evaluate(() => { window.scrollTo(0, 0); document.getElementById('toast').hidden = true; });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: path.join(SHOTS, name), animations: 'disabled' });
  await page.setViewportSize(PHONE);
}

async function noHorizontalScroll(page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `the page is ${width}px wide at a ${PHONE.width}px viewport`);
}

// ---------------------------------------------------------------------------------------

let inspector; // { context, page, net, errors }
let supervisor;
let inspectionHazard; // the gas hazard the inspector records

before(async () => {
  await startServer();
  await seed();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => { server.once('exit', r); setTimeout(r, 3000); });
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('the page is served with its service worker, and the inspector logs in', async () => {
  const res = await fetch(`${base}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const sw = await fetch(`${base}/sw.js`);
  assert.match(sw.headers.get('content-type'), /javascript/);

  inspector = await phoneContext();
  const { page } = inspector;
  await page.goto(`${base}/`);
  await page.locator('#login-form').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  await login(page, INSPECTOR);
  await page.locator('#inspection-form').waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
  await page.locator('#unit-results [data-unit-id]').first().waitFor();
  await noHorizontalScroll(page);
});

test('an inspection with two hazards and a photo waits in the outbox while the API is unreachable', async () => {
  const { page, net: state } = inspector;
  state.log.length = 0;
  state.blocked = true;
  // The app shell comes from the service worker: a reload works without the network.
  const reload = await page.reload();
  assert.ok(reload.fromServiceWorker(), 'the page was served by the service worker');
  await page.locator('#inspection-form').waitFor();

  await page.locator('input[name=unit-search]').fill('湘味');
  await page.locator(`#unit-results [data-unit-id="${ids.restaurant}"]`).click();
  await page.locator('#picked-unit').waitFor();
  await page.locator('input[name=leader_led]').check();
  await page.locator('select[name=campaign_id]').selectOption(ids.campaign);

  // The list starts empty: 添加隐患 adds the first card.
  await page.locator('#add-hazard').click();
  const first = page.locator('.hazard-card[data-hazard="0"]');
  await first.locator('select[name=category]').selectOption('gas');
  await first.locator('label.seg:has(input[value=major])').click();
  await first.locator('textarea[name=description]').fill('燃气软管老化开裂，未安装燃气泄漏报警器');
  await first.locator('.chip', { hasText: '7' }).click();
  await first.locator('input[name=photos-0-camera]').setInputFiles({ name: 'gas-hose.png', mimeType: 'image/png', buffer: hosePhoto });
  await first.locator('.thumb-box img[src^="blob:"]').waitFor();

  await page.locator('#add-hazard').click();
  const second = page.locator('.hazard-card[data-hazard="1"]');
  await second.locator('select[name=category]').selectOption('evacuation');
  await second.locator('label.seg:has(input[value=on_the_spot])').click();
  await second.locator('textarea[name=description]').fill('后厨安全出口被杂物堵塞');
  await second.locator('textarea[name=note]').fill('当场清理杂物，出口畅通');
  await noHorizontalScroll(page);
  await screenshot(page, 'phone-form.png');

  await page.locator('#submit-inspection').click();
  await page.locator('#toast').filter({ hasText: '已保存到本机' }).waitFor();
  await page.locator('#tab-outbox').click();
  await page.locator('#outbox').waitFor();
  await assertWaiting(page, { photo: 1, inspection: 1 });
  assert.equal(await page.locator('#outbox-count').textContent(), '2');
  assert.match(await page.locator('#outbox-summary').textContent(), /2 项等待发送/);
  assert.equal(state.log.filter((r) => r.status !== 'blocked').length, 0, 'nothing reached the server');
  assert.ok(state.log.some((r) => r.path === '/api/v1/attachments'), 'the photo was tried');
  await screenshot(page, 'outbox.png');
});

async function assertWaiting(page, expected) {
  for (const [kind, n] of Object.entries(expected)) {
    await assert.doesNotReject(page.locator(`#outbox-items .outbox-item[data-kind=${kind}]`).nth(n - 1).waitFor());
    assert.equal(await page.locator(`#outbox-items .outbox-item[data-kind=${kind}]`).count(), n, `${n} ${kind} waiting`);
  }
}

test('back online with the first acknowledgement lost: the outbox empties and the server has one inspection', async () => {
  const { page, net: state } = inspector;
  state.log.length = 0;
  state.dropNextInspectionAck = true;
  state.blocked = false;
  await page.locator('#send-now').click();
  await page.locator('#outbox-summary.ok').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#outbox-items .outbox-item').count(), 0);
  assert.equal(await page.locator('#outbox-count').textContent(), '0');

  const posts = state.log.filter((r) => r.method === 'POST');
  const uploads = posts.filter((r) => r.path === '/api/v1/attachments');
  const inspections = posts.filter((r) => r.path === '/api/v1/inspections');
  assert.deepEqual(uploads.map((r) => r.status), [201], 'the photo was stored once');
  assert.deepEqual(inspections.map((r) => [r.status, Boolean(r.dropped)]), [[201, true], [200, false]], 'stored, answer lost, resent, acknowledged as a replay');
  assert.ok(posts.indexOf(uploads[0]) < posts.indexOf(inspections[0]), 'the photo went first');
  await page.locator('#outbox-sent [data-status="200"]').first().waitFor();

  const list = await ok('GET', `/inspections?unit_id=${ids.restaurant}`, ids.admin);
  assert.equal(list.items.length, 1, 'exactly one inspection');
  const detail = await ok('GET', `/inspections/${list.items[0].id}`, ids.admin);
  assert.equal(detail.hazards.length, 2, 'with two hazards');
  assert.equal(detail.leader_led, true);
  assert.equal(detail.campaign_id, ids.campaign);
  assert.deepEqual(detail.hazards.map((hz) => hz.category).sort(), ['evacuation', 'gas']);
  const photoIds = detail.hazards.flatMap((hz) => hz.photo_ids);
  assert.equal(photoIds.length, 1, 'and one photo');
  const photo = await ok('GET', `/attachments/${photoIds[0]}`, ids.admin);
  assert.equal(photo.content_type, 'image/png');
  assert.equal(photo.size, hosePhoto.length);
  const onSpot = detail.hazards.find((hz) => hz.handling_type === 'on_the_spot');
  assert.equal(onSpot.status, 'closed');
  inspectionHazard = detail.hazards.find((hz) => hz.category === 'gas');
  assert.equal(inspectionHazard.status, 'open');
  assert.equal(inspectionHazard.level, 'major');
  assert.equal(inspectionHazard.deadline, officeDate(7));
});

test('a rectification recorded offline survives an expired login and is sent after logging in again', async () => {
  const { page, net: state } = inspector;
  await page.locator('#tab-rectify').click();
  await page.locator(`#hazard-results [data-hazard-id="${inspectionHazard.id}"]`).click();
  await page.locator('#rectification-form').waitFor();
  state.blocked = true;
  await page.locator('textarea[name=measures]').fill('更换燃气软管');
  await page.locator('input[name=responsible_person]').fill('店主 刘先生');
  await page.locator('input[name=evidence-camera]').setInputFiles({ name: 'new-hose.png', mimeType: 'image/png', buffer: fixedPhoto });
  await page.locator('#rectification-form .thumb-box img[src^="blob:"]').waitFor();
  await page.locator('#submit-rectification').click();
  await page.locator('#hazard-results').waitFor();
  await page.locator('#tab-outbox').click();
  await assertWaiting(page, { photo: 1, rectification: 1 });

  // Meanwhile the login ends (an admin revokes it; expiry works the same way).
  await ok('POST', `/users/${ids.inspector}/revoke-tokens`, ids.admin);
  state.blocked = false;
  await page.locator('#send-now').click();
  await page.locator('#login-expired').waitFor({ timeout: 15_000 });
  assert.match(await page.locator('#login-kept').textContent(), /2/);
  assert.equal(await page.locator('#login-form input[name=username]').inputValue(), INSPECTOR.username);
  assert.equal((await ok('GET', `/hazards/${inspectionHazard.id}`, ids.admin)).rectifications.length, 0, 'nothing arrived yet');

  await page.locator('#login-form input[name=password]').fill(INSPECTOR.password);
  await page.locator('#login-form button[type=submit]').click();
  // Back where the login was asked for (the outbox), which sends at once.
  await page.locator('#outbox-summary.ok').waitFor({ timeout: 30_000 });

  const hz = await ok('GET', `/hazards/${inspectionHazard.id}`, ids.admin);
  assert.equal(hz.status, 'pending_verification');
  assert.equal(hz.rectifications.length, 1);
  assert.equal(hz.rectifications[0].evidence_ids.length, 1);
  assert.equal(hz.rectifications[0].responsible_person, '店主 刘先生');
});

test('a supervisor rejects, then passes, the rectification from the dashboard', async () => {
  supervisor = await phoneContext();
  const { page } = supervisor;
  await page.goto(`${base}/`);
  await login(page, SUPERVISOR);
  await page.locator('#dashboard').waitFor();
  await page.goto(`${base}/#/dashboard?from=${officeDate(-30)}&to=${officeDate(0)}`);
  await page.locator(`#pending-list [data-hazard-id="${inspectionHazard.id}"]`).waitFor();

  // Per community: 金茂路 has the restaurant's gas hazard open (pending) and major;
  // 白沙 has one overdue. Closure rates per community and per category as SVG bars.
  const jml = page.locator(`#community-table tr[data-community="${ids.jml}"]`);
  assert.deepEqual(await jml.locator('td').allTextContents(), ['1', '0', '1', '66.67%']);
  const bs = page.locator(`#community-table tr[data-community="${ids.bs}"]`);
  assert.deepEqual(await bs.locator('td').allTextContents(), ['2', '1', '1', '33.33%']);
  assert.equal(await page.locator('#chart-community svg g.bar').count(), 2);
  assert.ok((await page.locator('#chart-category svg g.bar').count()) >= 4);
  assert.equal(await page.locator('#overdue-list [data-hazard-id]').count(), 1);
  await noHorizontalScroll(page);
  await screenshot(page, 'dashboard.png');

  await page.locator(`#pending-list [data-hazard-id="${inspectionHazard.id}"]`).click();
  await page.locator('#hazard-page').waitFor();
  // The hazard's photo and the rectification's photo, fetched with the login.
  await page.waitForFunction(() => [...document.querySelectorAll('#hazard-page img.thumb')].filter((i) => i.complete && i.naturalWidth > 0).length === 2);
  assert.ok((await page.locator('#history li').count()) >= 2);

  await page.locator('#verify-reject').click();
  await page.locator('#hazard-page .verify .error').filter({ hasText: '复查意见' }).waitFor();
  await page.locator('textarea[name=comment]').fill('未安装燃气泄漏报警器');
  await page.locator('#verify-reject').click();
  await page.locator('#hazard-page[data-status=open]').waitFor();
  await page.locator('#rectifications [data-status=rejected]').waitFor();

  // The inspector records the work again from the phone.
  const phone = inspector.page;
  await phone.goto(`${base}/#/rectify/${inspectionHazard.id}`);
  await phone.locator('#rectification-form').waitFor();
  await phone.locator('textarea[name=measures]').fill('更换燃气软管并加装燃气泄漏报警器');
  await phone.locator('input[name=cost]').fill('350.5');
  await phone.locator('input[name=evidence-camera]').setInputFiles({ name: 'alarm.png', mimeType: 'image/png', buffer: fixedPhoto });
  await phone.locator('#rectification-form .thumb-box img[src^="blob:"]').waitFor();
  await phone.locator('#submit-rectification').click();
  await phone.locator('#tab-outbox').click();
  await phone.locator('#outbox-summary.ok').waitFor({ timeout: 30_000 });

  await page.reload();
  await page.locator('#hazard-page[data-status=pending_verification]').waitFor();
  await page.locator('#verify-pass').click();
  await page.locator('#hazard-page[data-status=closed]').waitFor();
  await screenshot(page, 'hazard.png');

  const hz = await ok('GET', `/hazards/${inspectionHazard.id}`, ids.admin);
  assert.equal(hz.status, 'closed');
  assert.deepEqual(hz.rectifications.map((r) => r.status).sort(), ['passed', 'rejected']);
  const kinds = hz.events.map((e) => e.kind);
  assert.ok(kinds.includes('rectification_rejected') && kinds.includes('rectification_passed'), kinds.join(','));
  assert.ok([SUPERVISOR.username, SUPERVISOR.display_name].includes(hz.events.find((e) => e.kind === 'rectification_passed').actor));
});

test('the month\'s report downloads as Excel and CSV, and the page switches to English', async () => {
  const { page } = supervisor;
  await page.goto(`${base}/#/dashboard`);
  await page.locator('#reports').waitFor();
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('#download-xlsx').click()]);
  const xbytes = await readFile(await xlsx.path());
  assert.equal(xbytes.subarray(0, 2).toString(), 'PK', 'an xlsx (zip) file');
  assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
  await page.locator('select[name=table]').selectOption('by_community');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('#download-csv').click()]);
  const cbytes = await readFile(await csv.path());
  assert.deepEqual([...cbytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM');
  assert.match(cbytes.toString('utf8'), /金茂路社区/);

  await page.locator('#lang').click();
  await page.locator('h1', { hasText: 'Hazard dashboard' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('#tab-dashboard').textContent(), 'Dashboard');
  await page.locator('#lang').click();
  await page.locator('h1', { hasText: '隐患看板' }).waitFor();
  assert.deepEqual([...inspector.errors, ...supervisor.errors], [], 'no script errors or CSP violations on the pages');
});

test('a user who must change their password does that first, and later from the user menu', async () => {
  const WANG = { username: 'wangwu', password: 'given-by-the-office-2026' };
  await ok('POST', '/users', ids.admin, { ...WANG, role: 'viewer', must_change_password: true });
  const viewer = await phoneContext();
  const { page } = viewer;
  await page.goto(`${base}/`);
  await login(page, WANG);
  await page.locator('#password-form[data-required=true] #password-required').waitFor();
  assert.ok(await page.locator('#tabs').isHidden(), 'nothing else to go to');
  // Every other page leads back to the form.
  await page.goto(`${base}/#/dashboard`);
  await page.locator('#password-form[data-required=true]').waitFor();
  await noHorizontalScroll(page);

  const fill = async (current, next, again = next) => {
    await page.locator('input[name=current_password]').fill(current);
    await page.locator('input[name=new_password]').fill(next);
    await page.locator('input[name=new_password_again]').fill(again);
    await page.locator('#password-submit').click();
  };
  await fill(WANG.password, 'wangwu-2026-new');
  await page.locator('#password-form .field-error', { hasText: '不能包含用户名' }).waitFor();
  await fill(WANG.password, 'jinmao-shop-2026', 'jinmao-shop-2027');
  await page.locator('#password-form .field-error', { hasText: '两次输入的新密码不一致' }).waitFor();
  await fill('not-the-password', 'jinmao-shop-2026');
  await page.locator('#password-form .field-error', { hasText: '当前密码不正确' }).waitFor();
  await fill(WANG.password, 'Password2026!');
  await page.locator('#password-form .field-error', { hasText: '太常见' }).waitFor();
  await fill(WANG.password, 'jinmao-shop-2026');
  await page.locator('#dashboard').waitFor();
  assert.ok(await page.locator('#tabs').isVisible());
  assert.equal((await call('POST', '/auth/login', null, { username: WANG.username, password: 'jinmao-shop-2026' })).status, 200);

  // Any time later, from the menu under the user's name.
  await page.locator('#user-menu-button').click();
  await page.locator('#change-password-link').click();
  await page.locator('#password-form[data-required=false]').waitFor();
  assert.equal(await page.locator('#password-required').count(), 0);
  await page.locator('#password-cancel').click();
  await page.locator('#dashboard').waitFor();
  assert.deepEqual(viewer.errors, [], 'no script errors on the pages');
  await viewer.context.close();
});

test('the outbox keeps its items while the server asks for a password change, and sends them after it', async () => {
  const { page, net: state } = inspector;
  await page.goto(`${base}/#/inspect`);
  await page.locator('#inspection-form').waitFor();
  await page.locator('input[name=unit-search]').fill('便利店');
  await page.locator(`#unit-results [data-unit-id="${ids.shop}"]`).click();
  await page.locator('#picked-unit').waitFor();
  await page.locator('#add-hazard').click();
  const card = page.locator('.hazard-card[data-hazard="0"]');
  await card.locator('select[name=category]').selectOption('electrical');
  await card.locator('textarea[name=description]').fill('插线板串接使用');
  await card.locator('.chip', { hasText: '7' }).click();
  state.log.length = 0;
  state.changePasswordFirst = true;
  await page.locator('#submit-inspection').click();
  // The submission meets the 403: it stays, and the page asks for the change.
  await page.locator('#password-form[data-required=true]').waitFor({ timeout: 15_000 });
  assert.ok(state.log.some((r) => r.path === '/api/v1/inspections' && r.status === 403), 'the submission was tried');
  assert.match(await page.locator('#password-kept').textContent(), /1/);
  const before = await ok('GET', `/inspections?unit_id=${ids.shop}`, ids.admin);

  await page.locator('input[name=current_password]').fill(INSPECTOR.password);
  await page.locator('input[name=new_password]').fill('jinmao-road-2027');
  await page.locator('input[name=new_password_again]').fill('jinmao-road-2027');
  await page.locator('#password-submit').click();
  // Changed: the app goes on, and the outbox sends what it kept.
  await page.locator('#tab-outbox').click();
  await page.locator('#outbox-summary.ok').waitFor({ timeout: 30_000 });
  const after = await ok('GET', `/inspections?unit_id=${ids.shop}`, ids.admin);
  assert.equal(after.items.length, before.items.length + 1, 'the kept inspection arrived');
  assert.deepEqual(inspector.errors, [], 'no script errors on the pages');
});
