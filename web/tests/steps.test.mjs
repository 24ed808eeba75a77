// End-to-end: every step on the pages — on the phone (360 × 740) a refused record fixed
// and sent again, the form's own checks without a network, a visit with no hazard and its
// position, the common phrases (隐患库) picked offline, who is logged in and 44 px targets;
// at the desk (1366 × 900) the phrase list edited, a hazard voided and another given more
// time, photos full size, the inspection page, and the dashboard at volume (true totals,
// pages, worst first). Each new or changed page is photographed into docs/screenshots/.
//
// Run with the other browser tests: `npm ci && npm test` in web/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import {
  startServer, apiOf, officeDate, launch, deskContext, login, screenshots, fitsWidth, touchTargets,
  phoneChecks, DESK, PHONE, TZ, SHOTS,
} from './support.mjs';

const ADMIN = { username: 'admin', password: 'e2e-steps-desk-2026' };
const INSPECTOR = { username: 'zhangsan', password: 'jinmao-road-2026', display_name: '张三' };
const SUPERVISOR = { username: 'lisi', password: 'jinmao-lead-2026', display_name: '李四' };
const HERE = { latitude: 28.19409, longitude: 112.98228 };

let server;
let api;
let browser;
const ids = {};
let phone; // { context, page, net, errors }
let desk;

/** A 240 × 160 PNG with a coloured band (no fixture files). */
function makePng(r, g, b) {
  const zlib = globalThis.__zlib;
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
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
  const w = 240;
  const hgt = 160;
  const raw = Buffer.alloc((w * 3 + 1) * hgt);
  for (let y = 0; y < hgt; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const stripe = Math.abs(y - 80 - 20 * Math.sin(x / 20)) < 10;
      raw[o] = stripe ? r : 60 + (y >> 2);
      raw[o + 1] = stripe ? g : 80 + (x >> 3);
      raw[o + 2] = stripe ? b : 110;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(hgt, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function upload(token, bytes, name) {
  const form = new FormData();
  const id = crypto.randomUUID();
  form.append('id', id);
  form.append('file', new Blob([bytes], { type: 'image/png' }), name);
  const res = await fetch(`${server.base}/api/v1/attachments`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  assert.ok(res.status === 201 || res.status === 200, `upload: ${res.status} ${await res.text()}`);
  return id;
}

const ago = (days) => new Date(Date.now() - days * 86_400_000).toISOString();

async function seed() {
  const { ok } = api;
  const A = (ids.admin = (await ok('POST', '/auth/login', null, ADMIN)).token);
  ids.jml = (await ok('POST', '/communities', A, { name: '金茂路社区', code: 'JML' })).id;
  ids.bs = (await ok('POST', '/communities', A, { name: '白沙社区', code: 'BS' })).id;
  ids.restaurant = (await ok('POST', '/units', A, { community_id: ids.jml, name: '湘味小厨', kind: 'restaurant', address: '金茂路12号' })).id;
  ids.shop = (await ok('POST', '/units', A, { community_id: ids.jml, name: '金茂便利店', kind: 'shop', address: '金茂路20号' })).id;
  ids.factory = (await ok('POST', '/units', A, { community_id: ids.bs, name: '白沙五金厂', kind: 'factory', address: '白沙路8号' })).id;
  ids.campaign = (await ok('POST', '/campaigns', A, { name: '燃气安全专项行动', starts_on: officeDate(-60), ends_on: officeDate(60) })).id;
  await ok('POST', '/users', A, { ...INSPECTOR, role: 'inspector', community_ids: [ids.jml, ids.bs] });
  await ok('POST', '/users', A, { ...SUPERVISOR, role: 'supervisor' });
  ids.lead = (await ok('POST', '/auth/login', null, { username: SUPERVISOR.username, password: SUPERVISOR.password })).token;
  ids.insp = (await ok('POST', '/auth/login', null, { username: INSPECTOR.username, password: INSPECTOR.password })).token;

  // The factory, 40 days ago: two photos, a hazard to void, one to extend, one rectified
  // and verified by 李四 (the card shows who and when), leader-led, in the campaign.
  const p1 = await upload(A, makePng(230, 120, 30), 'hose-1.png');
  const p2 = await upload(A, makePng(40, 160, 70), 'hose-2.png');
  const p3 = await upload(A, makePng(200, 40, 40), 'panel.png');
  const first = await ok('POST', '/inspections', A, {
    unit_id: ids.factory, inspected_at: ago(40), inspectors: ['王五', '赵六'], leader_led: true, campaign_id: ids.campaign,
    notes: '厂区整体较乱，已约谈负责人', attachment_ids: [p3],
    hazards: [
      { category: 'electrical', level: 'major', handling_type: 'deadline', description: '配电箱线路私拉乱接', deadline: officeDate(-30), photo_ids: [p1, p2], legal_basis: '《低压配电设计规范》GB 50054' },
      { category: 'gas', level: 'general', handling_type: 'deadline', description: '燃气管道未设置警示标识（重复登记）', deadline: officeDate(-20) },
      { category: 'evacuation', level: 'general', handling_type: 'deadline', description: '安全出口指示灯损坏', deadline: officeDate(-35) },
      { category: 'fire_equipment', level: 'general', handling_type: 'on_the_spot', description: '灭火器压力不足', note: '当场更换灭火器' },
    ],
  });
  ids.inspection = first.id;
  const byDesc = (d) => first.hazards.find((hz) => hz.description.startsWith(d));
  ids.extendMe = byDesc('配电箱').id;
  ids.voidMe = byDesc('燃气管道').id;
  ids.verified = byDesc('安全出口').id;
  const evidence = await upload(ids.insp, makePng(40, 160, 70), 'fixed.png');
  const rect = await ok('POST', `/hazards/${ids.verified}/rectifications`, ids.insp, { measures: '更换指示灯并通电测试', completed_at: ago(34), evidence_ids: [evidence], responsible_person: '陈厂长' });
  await ok('POST', `/rectifications/${rect.id}/verification`, ids.lead, { outcome: 'pass', comment: '已复查，指示灯正常' });

  // A year's volume in small: 27 overdue hazards (1 to 27 days overdue) at the restaurant,
  // and 13 waiting for verification, so that each dashboard list has more than one page.
  const overdue = await ok('POST', '/inspections', A, {
    unit_id: ids.restaurant, inspected_at: ago(29), inspectors: ['张三'], leader_led: false,
    hazards: Array.from({ length: 27 }, (_, i) => ({ category: 'fire_equipment', level: i % 4 === 0 ? 'major' : 'general', handling_type: 'deadline', description: `后厨第 ${i + 1} 号灭火器过期`, deadline: officeDate(-(i + 1)) })),
  });
  ids.mostOverdue = overdue.hazards.find((hz) => hz.description === '后厨第 27 号灭火器过期').id;
  const waiting = await ok('POST', '/inspections', A, {
    unit_id: ids.shop, inspected_at: ago(20), inspectors: ['张三'], leader_led: false,
    hazards: Array.from({ length: 13 }, (_, i) => ({ category: 'evacuation', level: 'general', handling_type: 'deadline', description: `货架第 ${i + 1} 排堵塞通道`, deadline: officeDate(30) })),
  });
  const photo = await upload(ids.insp, makePng(40, 160, 70), 'shelf.png');
  // Submitted one after another: the first waits longest.
  for (const [i, hz] of waiting.hazards.entries()) {
    await ok('POST', `/hazards/${hz.id}/rectifications`, ids.insp, { measures: `清理第 ${i + 1} 排`, completed_at: ago(19 - i), evidence_ids: [photo] });
    if (i === 0) ids.waitingLongest = hz.id;
  }
}

/** A phone context (360 × 740, position allowed) whose API can be cut or have its next inspection rewritten. */
async function phoneContext() {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: TZ, geolocation: HERE, permissions: ['geolocation'] });
  const net = { blocked: false, rewriteNextInspection: null, posts: [] };
  await context.route('**/api/v1/**', async (route) => {
    const req = route.request();
    const p = new URL(req.url()).pathname;
    if (net.blocked) { await route.abort('internetdisconnected'); return; }
    if (req.method() === 'POST' && p === '/api/v1/inspections') {
      const body = JSON.parse(req.postData() || '{}');
      if (net.rewriteNextInspection) {
        // As a phone whose clock runs two hours fast would send it.
        const rewritten = net.rewriteNextInspection(body);
        net.rewriteNextInspection = null;
        const response = await route.fetch({ postData: JSON.stringify(rewritten) });
        net.posts.push({ body, status: response.status() });
        await route.fulfill({ response });
        return;
      }
      const response = await route.fetch();
      net.posts.push({ body, status: response.status() });
      await route.fulfill({ response });
      return;
    }
    await route.continue();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, net, errors };
}

/** A full-page phone screenshot. */
async function phoneShot(page, name) {
  if (process.env.SAFETRACE_SCREENSHOTS === '0') return;
  await mkdir(SHOTS, { recursive: true });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: PHONE.width, height: Math.min(Math.max(height, PHONE.height), 3200) });
  await page.evaluate(() => { window.scrollTo(0, 0); const t = document.getElementById('toast'); if (t) t.hidden = true; });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: path.join(SHOTS, name), animations: 'disabled' });
  await page.setViewportSize(PHONE);
}

async function pickUnit(page, name, id) {
  await page.locator('input[name=unit-search]').fill(name);
  await page.locator(`#unit-results [data-unit-id="${id}"]`).click();
  await page.locator('#picked-unit').waitFor();
}

before(async () => {
  globalThis.__zlib = (await import('node:zlib')).default;
  server = await startServer(ADMIN.password);
  api = apiOf(server.base);
  await seed();
  browser = await launch();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

// ---------------------------------------------------------------------------------------
// The phone

test('the header shows who is logged in; a visit with no hazard is recorded with the phone\'s position', async () => {
  phone = await phoneContext();
  const { page, net } = phone;
  await page.goto(`${server.base}/`);
  await login(page, INSPECTOR);
  await page.locator('#inspection-form').waitFor();
  assert.match(await page.locator('#user-menu-button').textContent(), /张三/);
  assert.match(await page.locator('#user-menu-button').textContent(), /检查员/);
  // The hazard list starts empty: no blank card to delete.
  assert.equal(await page.locator('.hazard-card').count(), 0);
  await page.locator('#place').filter({ hasText: '28.19409' }).waitFor();
  await pickUnit(page, '湘味', ids.restaurant);
  await page.locator('#submit-inspection').click();
  // Neither a hazard nor 无隐患: the form says so, beside the list, and nothing is queued.
  await page.locator('[data-field=hazards].invalid .field-error', { hasText: '无隐患' }).waitFor();
  assert.equal(await page.locator('#form-summary').isVisible(), true);
  await page.locator('#no-hazards').click();
  // Fixed: the error and the summary line are gone at once.
  assert.equal(await page.locator('[data-field=hazards].invalid').count(), 0);
  assert.equal(await page.locator('#form-summary').isVisible(), false);
  await fitsWidth(page);
  await touchTargets(page);
  await phoneShot(page, 'phone-no-hazard.png');
  await page.locator('#submit-inspection').click();
  await page.locator('#toast').filter({ hasText: '已保存到本机' }).waitFor();
  await page.waitForFunction(() => document.querySelector('#outbox-count')?.textContent === '0', null, { timeout: 20_000 });
  const sent = net.posts.at(-1);
  assert.equal(sent.status, 201);
  assert.deepEqual(sent.body.hazards, []);
  const stored = await api.ok('GET', `/inspections/${sent.body.id}`, ids.admin);
  assert.equal(stored.hazards.length, 0);
  assert.equal(stored.latitude, HERE.latitude);
  assert.equal(stored.longitude, HERE.longitude);
});

test('without a network the form refuses what the server would: a future time, a missing deadline or note, an early deadline', async () => {
  const { page, net } = phone;
  net.blocked = true;
  await page.reload();
  await page.locator('#inspection-form').waitFor();
  await pickUnit(page, '便利', ids.shop);
  const later = new Date(Date.now() + 3 * 3600_000);
  // A datetime-local value in the office's zone (the browser's).
  const local = (d) => new Intl.DateTimeFormat('sv-SE', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d).replace(' ', 'T');
  await page.locator('input[name=inspected_at]').fill(local(later));
  await page.locator('#add-hazard').click();
  await page.locator('#add-hazard').click();
  const first = page.locator('.hazard-card[data-hazard="0"]');
  const second = page.locator('.hazard-card[data-hazard="1"]');
  await first.locator('select[name=category]').selectOption('evacuation');
  await first.locator('textarea[name=description]').fill('安全出口上锁');
  await second.locator('select[name=category]').selectOption('gas');
  await second.locator('label.seg:has(input[value=on_the_spot])').click();
  await second.locator('textarea[name=description]').fill('燃气阀门未关闭');
  await page.locator('#submit-inspection').click();
  await page.locator('[data-field=inspected_at].invalid .field-error', { hasText: '不能晚于现在' }).waitFor();
  assert.match(await page.locator('[data-field="hazards.0.deadline"] .field-error').textContent(), /整改期限/);
  assert.match(await page.locator('[data-field="hazards.1.note"] .field-error').textContent(), /现场/);
  await phoneShot(page, 'phone-form-checks.png');
  // Each error leaves as its field is fixed; the summary line leaves with the last.
  await page.locator('input[name=inspected_at]').fill(local(new Date(Date.now() - 3600_000)));
  assert.equal(await page.locator('[data-field=inspected_at].invalid').count(), 0);
  await first.locator('input[name=deadline]').fill(officeDate(-5));
  await page.locator('[data-field="hazards.0.deadline"] .field-error', { hasText: '不能早于' }).waitFor();
  await first.locator('.chip', { hasText: '7' }).click();
  assert.equal(await page.locator('[data-field="hazards.0.deadline"].invalid').count(), 0);
  assert.equal(await page.locator('#form-summary').isVisible(), true);
  await second.locator('textarea[name=note]').fill('当场关闭阀门');
  assert.equal(await page.locator('.invalid').count(), 0);
  assert.equal(await page.locator('#form-summary').isVisible(), false);
  // The phrases were kept on the phone: the picker works offline and fills the basis too.
  await first.locator('.phrase-toggle').click();
  const phrase = first.locator('.phrase', { hasText: '安全出口上锁或封闭' });
  await phrase.waitFor();
  assert.ok(await first.locator('.phrase').count() >= 5, 'the category\'s phrases');
  await phoneShot(page, 'phone-phrases.png');
  await phrase.click();
  assert.equal(await first.locator('textarea[name=description]').inputValue(), '安全出口上锁或封闭，营业期间无法开启');
  assert.match(await first.locator('textarea[name=legal_basis]').inputValue(), /消防法/);
  await page.locator('#submit-inspection').click();
  await page.locator('#toast').filter({ hasText: '已保存到本机' }).waitFor();
  net.blocked = false;
  await page.locator('#tab-outbox').click();
  // The network is back: the page sends at once.
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.locator('#outbox-summary.ok').waitFor({ timeout: 30_000 });
  const body = net.posts.at(-1).body;
  assert.equal(net.posts.at(-1).status, 201);
  assert.equal(body.hazards[0].legal_basis, '《中华人民共和国消防法》第二十八条');
});

test('a refused record opens in its form with each error beside its field, and goes again as a new submission with the same photos', async () => {
  const { page, net } = phone;
  await page.locator('#tab-inspect').click();
  await page.locator('#inspection-form').waitFor();
  await pickUnit(page, '湘味', ids.restaurant);
  await page.locator('#add-hazard').click();
  const card = page.locator('.hazard-card[data-hazard="0"]');
  await card.locator('select[name=category]').selectOption('gas');
  await card.locator('textarea[name=description]').fill('燃气软管老化开裂');
  await card.locator('.chip', { hasText: '7' }).click();
  await card.locator('input[name=photos-0-camera]').setInputFiles({ name: 'hose.png', mimeType: 'image/png', buffer: makePng(230, 120, 30) });
  await card.locator('.thumb-box img[src^="blob:"]').waitFor();
  // The photo's remove button is a 44 px target.
  await touchTargets(page);
  // Sent as a phone two hours fast with a day-early deadline would send it: the server refuses.
  net.rewriteNextInspection = (b) => ({ ...b, inspected_at: new Date(Date.now() + 2 * 3600_000).toISOString(), hazards: b.hazards.map((hz) => ({ ...hz, deadline: officeDate(-3) })) });
  await page.locator('#submit-inspection').click();
  await page.locator('#tab-outbox').click();
  const refused = page.locator('#outbox-items .outbox-item.failed[data-kind=inspection]');
  await refused.waitFor({ timeout: 30_000 });
  const refusedPost = net.posts.at(-1);
  assert.equal(refusedPost.status, 422);
  const text = await refused.locator('.outbox-text > div.small:not(.muted)').textContent();
  assert.match(text, /检查时间不能晚于现在/);
  for (const raw of ['422', 'inspected_at', 'must not', 'hazards[0]']) assert.ok(!text.includes(raw), `no "${raw}" in "${text}"`);
  // 详情 shows the server's words for whoever asks.
  await refused.locator('details.problem-details summary').click();
  assert.match(await refused.locator('details.problem-details pre').textContent(), /in_future/);
  await phoneShot(page, 'phone-outbox-refused.png');
  await touchTargets(page);

  await refused.locator('.fix-item').click();
  await page.locator('#refused-banner').waitFor();
  assert.match(await page.locator('[data-field=inspected_at] .field-error').textContent(), /检查时间不能晚于现在/);
  assert.match(await page.locator('[data-field="hazards.0.deadline"] .field-error').textContent(), /整改期限不能早于/);
  assert.equal(await page.locator('#picked-unit').textContent().then((s) => s.includes('湘味小厨')), true);
  assert.equal(await page.locator('.hazard-card[data-hazard="0"] .thumb-box').count(), 1, 'the uploaded photo is cited');
  await phoneShot(page, 'phone-refused-fix.png');
  // The server's errors leave as their fields are edited, the summary line with the last.
  await page.locator('input[name=inspected_at]').fill(await page.locator('input[name=inspected_at]').inputValue());
  assert.equal(await page.locator('[data-field=inspected_at].invalid').count(), 0);
  assert.equal(await page.locator('#form-summary').isVisible(), true);
  await page.locator('.hazard-card[data-hazard="0"] .chip', { hasText: '15' }).click();
  assert.equal(await page.locator('.invalid').count(), 0);
  assert.equal(await page.locator('#form-summary').isVisible(), false);
  await page.locator('#submit-inspection').click();
  await page.locator('#tab-outbox').click();
  await page.locator('#outbox-summary.ok').waitFor({ timeout: 30_000 });
  const again = net.posts.at(-1);
  assert.equal(again.status, 201);
  assert.notEqual(again.body.id, refusedPost.body.id, 'a new client id');
  assert.deepEqual(again.body.hazards[0].photo_ids, refusedPost.body.hazards[0].photo_ids, 'the same photos');
  assert.equal((await api.call('GET', `/inspections/${refusedPost.body.id}`, ids.admin)).status, 404, 'the refused one stored nothing');
  const stored = await api.ok('GET', `/inspections/${again.body.id}`, ids.admin);
  assert.equal(stored.hazards[0].deadline, officeDate(15));
  assert.deepEqual(phone.errors, []);
});

// ---------------------------------------------------------------------------------------
// The desk

test('an admin adds a phrase to 隐患库 and retires another; the list is kept, not deleted', async () => {
  desk = await deskContext(browser);
  const { page } = desk;
  await page.goto(`${server.base}/`);
  await login(page, ADMIN);
  await page.locator('#dashboard').waitFor();
  await page.goto(`${server.base}/#/admin/phrases`);
  await page.locator('#phrase-table').waitFor();
  const before = await page.locator('#phrase-table tbody tr').count();
  assert.ok(before >= 45, `${before} phrases`);
  await page.locator('#phrase-form select[name=category]').selectOption('gas');
  await page.locator('#phrase-form textarea[name=text]').fill('燃气灶具无熄火保护装置');
  await page.locator('#phrase-form textarea[name=legal_basis]').fill('《家用燃气灶具》GB 16410');
  await page.locator('#phrase-form-save').click();
  await page.locator('#phrase-table tbody tr', { hasText: '燃气灶具无熄火保护装置' }).waitFor();
  const row = page.locator('#phrase-table tbody tr', { hasText: '液化石油气钢瓶未直立放置' });
  await row.locator('button', { hasText: '编辑' }).click();
  await page.locator('#phrase-form input[name=active]').uncheck();
  await page.locator('#phrase-form-save').click();
  await page.locator('#phrase-table tbody tr[data-active=false]', { hasText: '液化石油气钢瓶未直立放置' }).waitFor();
  const all = await api.ok('GET', '/hazard-phrases?category=gas&limit=500', ids.admin);
  assert.ok(all.items.some((p) => p.text === '燃气灶具无熄火保护装置' && p.legal_basis === '《家用燃气灶具》GB 16410'));
  assert.ok(all.items.some((p) => p.text.startsWith('液化石油气钢瓶未直立') && p.active === false));
  await screenshots(page, 'admin-phrases');
  await phoneChecks(page);
  assert.deepEqual(desk.errors, []);
});

test('a supervisor extends one hazard and voids another; photos open full size; the rectification card shows 复查人 and 复查时间', async () => {
  const lead = await deskContext(browser);
  const { page } = lead;
  await page.goto(`${server.base}/`);
  await login(page, SUPERVISOR);
  await page.locator('#dashboard').waitFor();
  await page.goto(`${server.base}/#/hazard/${ids.extendMe}`);
  await page.locator('#hazard-actions').waitFor();
  // Photos: full size, next and previous, zoom, close.
  await page.locator('#hazard-page .thumb-open').first().click();
  await page.locator('#viewer img[src]').waitFor();
  assert.equal(await page.locator('#viewer-count').textContent(), '1 / 2');
  await page.locator('#viewer-next').click();
  assert.equal(await page.locator('#viewer-count').textContent(), '2 / 2');
  assert.ok(await page.locator('#viewer-next').isDisabled());
  const fit = await page.locator('#viewer img').boundingBox();
  await page.locator('#viewer-zoom').click();
  const zoomed = await page.locator('#viewer img').boundingBox();
  assert.ok(zoomed.width > fit.width * 1.5, `zoomed ${zoomed.width} > ${fit.width}`);
  await page.locator('#viewer-prev').click();
  assert.equal(await page.locator('#viewer-count').textContent(), '1 / 2');
  await page.screenshot({ path: path.join(SHOTS, 'photo-viewer-desk.png') }).catch(() => {});
  await page.locator('#viewer-close').click();
  assert.equal(await page.locator('#viewer').count(), 0);

  await page.locator('#extend-open').click();
  await page.locator('#extend-form input[name=new_deadline]').fill(officeDate(10));
  await page.locator('#extend-form textarea[name=extend_reason]').fill('需采购新配电箱，厂家承诺十日内到货');
  await screenshots(page, 'hazard-extend');
  await page.locator('#extend-confirm').click();
  await page.locator('#history [data-kind=deadline_extended]').waitFor();
  const extended = await api.ok('GET', `/hazards/${ids.extendMe}`, ids.admin);
  assert.equal((extended.hazard || extended).deadline, officeDate(10));

  await page.goto(`${server.base}/#/hazard/${ids.voidMe}`);
  await page.locator('#void-open').click();
  await page.locator('#void-confirm').click();
  await page.locator('#hazard-actions .error', { hasText: '请填写原因' }).waitFor();
  await page.locator('#void-form textarea[name=void_reason]').fill('与第一条重复登记');
  await page.locator('#void-confirm').click();
  await page.locator('#hazard-page[data-status=voided]').waitFor();
  await page.locator('#history [data-kind=voided]', { hasText: '与第一条重复登记' }).waitFor();
  assert.equal(await page.locator('#hazard-actions').count(), 0, 'nothing more to do on a voided hazard');

  await page.goto(`${server.base}/#/hazard/${ids.verified}`);
  const card = page.locator('#rectifications .rect').first();
  await card.waitFor();
  const facts = await card.locator('dl.facts').textContent();
  assert.match(facts, /复查人李四/);
  assert.match(facts, /复查时间/);
  await screenshots(page, 'hazard-verified');
  await phoneChecks(page);
  assert.deepEqual(lead.errors, []);
  await lead.context.close();
});

test('the inspection page shows the unit, time, inspectors, campaign, leader-led, photos and every hazard', async () => {
  const { page } = desk;
  await page.goto(`${server.base}/#/inspection/${ids.inspection}`);
  await page.locator('#inspection-page').waitFor();
  const text = await page.locator('#inspection-page').textContent();
  for (const s of ['白沙五金厂', '王五、赵六', '燃气安全专项行动', '党政带队是', '厂区整体较乱']) assert.ok(text.includes(s), `shows ${s}`);
  assert.equal(await page.locator('#inspection-hazards > li').count(), 4);
  assert.equal(await page.locator('#inspection-page .thumb-open').count(), 3, 'the inspection\'s photo and the hazard\'s two');
  await page.locator('#inspection-hazards a', { hasText: '配电箱线路私拉乱接' }).click();
  await page.locator('#hazard-page').waitFor();
  await page.locator('#hazard-inspection').click();
  await page.locator('#inspection-page').waitFor();
  await screenshots(page, 'inspection');
  await phoneChecks(page);
});

test('the dashboard at volume: every list shows its true total, pages through all of it, worst first; the download at the top', async () => {
  const { page } = desk;
  await page.goto(`${server.base}/#/dashboard`);
  await page.locator('#overdue-list').waitFor();
  const overdueTotal = (await api.ok('GET', '/hazards?overdue=true&count=true&limit=1', ids.admin)).total;
  const pendingTotal = (await api.ok('GET', '/hazards?status=pending_verification&count=true&limit=1', ids.admin)).total;
  assert.ok(overdueTotal > 20 && pendingTotal === 13, `${overdueTotal} overdue, ${pendingTotal} pending`);
  assert.equal(await page.locator('#overdue-total').textContent(), ` (${overdueTotal})`);
  assert.equal(await page.locator('#pending-total').textContent(), ` (${pendingTotal})`);
  assert.equal(await page.locator('[data-stat=overdue] .stat-value').textContent(), String(overdueTotal), 'the figure and the list agree');
  // Worst first: the most overdue, the longest waiting.
  assert.equal(await page.locator('#overdue-list [data-hazard-id]').first().getAttribute('data-hazard-id'), ids.mostOverdue);
  assert.equal(await page.locator('#pending-list [data-hazard-id]').first().getAttribute('data-hazard-id'), ids.waitingLongest);
  // Every item once across the pages.
  const seen = [];
  for (;;) {
    seen.push(...await page.locator('#overdue-list [data-hazard-id]').evaluateAll((els) => els.map((e) => e.dataset.hazardId)));
    assert.ok(await page.locator('#overdue-list [data-hazard-id]').count() <= 10);
    if (await page.locator('#overdue-list-next').isDisabled()) break;
    const at = await page.locator('#overdue-list-at').textContent();
    await page.locator('#overdue-list-next').click();
    await page.waitForFunction((prev) => document.querySelector('#overdue-list-at')?.textContent !== prev, at);
  }
  assert.equal(seen.length, overdueTotal);
  assert.equal(new Set(seen).size, overdueTotal);
  // The download sits above the figures.
  const reports = await page.locator('#reports').boundingBox();
  const totals = await page.locator('#totals').boundingBox();
  assert.ok(reports.y < totals.y, 'the monthly download is at the top');
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height < 5000, `the page is ${height}px tall`);
  await page.locator('#overdue-list-prev').click();
  await screenshots(page, 'dashboard-volume');
  await phoneChecks(page);
  assert.deepEqual(desk.errors, []);
});
