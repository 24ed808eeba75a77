// End-to-end: a major hazard's governance on its page — the plan (五到位) recorded
// incomplete, the hazard listed for formal supervision (挂牌督办), the recurrence link —
// photographed at 1366 × 900 and at 360 × 740.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, apiOf, officeDate, launch, deskContext, login, screenshots, phoneChecks } from './support.mjs';

const ADMIN = { username: 'admin', password: 'e2e-governance-2026' };

let server;
let api;
let browser;
const ids = {};

before(async () => {
  server = await startServer(ADMIN.password);
  api = apiOf(server.base);
  const { ok } = api;
  const A = (ids.admin = (await ok('POST', '/auth/login', null, ADMIN)).token);
  const c = (await ok('POST', '/communities', A, { name: '金茂路社区', code: 'JML' })).id;
  const unit = (await ok('POST', '/units', A, { community_id: c, name: '湘味小厨', kind: 'restaurant', address: '金茂路12号' })).id;
  const ago = (days) => new Date(Date.now() - days * 86_400_000).toISOString();
  const earlier = await ok('POST', '/inspections', A, {
    unit_id: unit, inspected_at: ago(30), inspectors: ['张三'], leader_led: false,
    hazards: [{ category: 'gas', level: 'general', handling_type: 'on_the_spot', description: '燃气阀门未关闭', note: '当场关闭' }],
  });
  ids.earlier = earlier.hazards[0].id;
  const now = await ok('POST', '/inspections', A, {
    unit_id: unit, inspected_at: ago(1), inspectors: ['张三'], leader_led: false,
    hazards: [{ category: 'gas', level: 'major', handling_type: 'deadline', description: '燃气管道穿越卧室', deadline: officeDate(20), found_by: 'self_check' }],
  });
  ids.major = now.hazards[0].id;
  assert.equal(now.hazards[0].recurrence_of, ids.earlier);
  browser = await launch();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

test('an admin records a plan and lists a major hazard for supervision on its page', async () => {
  const { page, errors, context } = await deskContext(browser);
  await page.goto(`${server.base}/`);
  await login(page, ADMIN);
  await page.locator('#dashboard').waitFor();
  await page.goto(`${server.base}/#/hazard/${ids.major}`);
  await page.locator('#hazard-page #governance').waitFor();
  assert.equal(await page.locator('#hazard-recurrence').getAttribute('href'), `#/hazard/${ids.earlier}`);
  await page.locator('#hazard-page', { hasText: '企业自查' }).waitFor();

  await page.locator('#plan-form summary').click();
  await page.locator('#plan-form textarea[name=measures]').fill('改造燃气管道走向，加装泄漏报警器');
  await page.locator('#plan-form input[name=funds]').fill('12500.50');
  await page.locator('#plan-form input[name=plan_deadline]').fill(officeDate(15));
  await page.locator('#plan-form input[name=plan_responsible]').fill('刘先生');
  await page.locator('#plan-save').click();
  await page.locator('#plan-state', { hasText: '不完整' }).waitFor();

  await page.locator('#supervision-form summary').click();
  await page.locator('#supervision-form select[name=supervision_level]').selectOption('city');
  await page.locator('#supervision-form input[name=authority]').fill('长沙市应急管理局');
  await page.locator('#supervision-list').click();
  await page.locator('#supervision-state', { hasText: '挂牌督办中' }).waitFor();
  await page.locator('#history li[data-kind=supervision_listed]').waitFor();

  const h = await api.ok('GET', `/hazards/${ids.major}`, ids.admin);
  assert.equal(h.plan.state, 'incomplete');
  assert.equal(h.plan.funds, 12500.5);
  assert.equal(h.supervision.level, 'city');
  await screenshots(page, 'hazard-governance', () => page.locator('#governance').waitFor());
  await phoneChecks(page);
  assert.deepEqual(errors, []);
  await context.close();
});
