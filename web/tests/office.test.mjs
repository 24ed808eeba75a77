// End-to-end: the office's pages in headless Chromium against a real safetrace binary —
// the registry (单位: search, a unit's file, create and edit, the import with its dry run),
// the ledger (隐患台账: filters, pages, the overdue view, the export read back), and the
// administration (an inspector created with one community, who then sees only it). Each
// new page is photographed at 1366 × 900 and at 360 × 740.
//
// Run with the other browser tests: `npm ci && npm test` in web/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  startServer, apiOf, officeDate, launch, deskContext, login, screenshots, fitsWidth, touchTargets,
  xlsx, readXlsx, creditCode, phoneChecks, DESK, PHONE,
} from './support.mjs';

const ADMIN = { username: 'admin', password: 'e2e-office-desk-2026' };
const SUPERVISOR = { username: 'lisi', password: 'jinmao-lead-2026', display_name: '李四' };

let server;
let api;
let browser;
const ids = {};
let admin; // { context, page, errors }
let lead;

async function seed() {
  const { ok } = api;
  const A = (ids.admin = (await ok('POST', '/auth/login', null, ADMIN)).token);
  ids.jml = (await ok('POST', '/communities', A, { name: '金茂路社区', code: 'JML' })).id;
  ids.bs = (await ok('POST', '/communities', A, { name: '白沙社区', code: 'BS' })).id;
  ids.nh = (await ok('POST', '/communities', A, { name: '南湖社区', code: 'NH' })).id;
  ids.restaurant = (await ok('POST', '/units', A, { community_id: ids.jml, name: '湘味小厨', kind: 'restaurant', address: '金茂路12号', credit_code: creditCode('91430100MA4L0XW8Q'), contact_name: '刘先生', contact_phone: '138-0000-0000' })).id;
  ids.shop = (await ok('POST', '/units', A, { community_id: ids.jml, name: '金茂便利店', kind: 'shop', address: '金茂路20号' })).id;
  ids.factory = (await ok('POST', '/units', A, { community_id: ids.bs, name: '白沙五金厂', kind: 'factory', address: '白沙路8号', contact_name: '陈厂长', contact_phone: '0731-8888-1234' })).id;
  ids.bath = (await ok('POST', '/units', A, { community_id: ids.bs, name: '白沙浴室', kind: 'other', address: '白沙路15号' })).id;
  ids.campaign = (await ok('POST', '/campaigns', A, { name: '燃气安全专项行动', starts_on: officeDate(-30), ends_on: officeDate(60) })).id;
  await ok('POST', '/users', A, { ...SUPERVISOR, role: 'supervisor' });
  const ago = (days) => new Date(Date.now() - days * 86_400_000).toISOString();
  // 白沙五金厂: found 20 days ago, one hazard 15 days overdue; found 3 days ago, two more
  // overdue (3 and 1 days) and one due later.
  await ok('POST', '/inspections', A, {
    unit_id: ids.factory, inspected_at: ago(20), inspectors: ['王五', '赵六'], leader_led: true,
    hazards: [{ category: 'hazardous_chemicals', level: 'major', handling_type: 'deadline', description: '油漆稀料堆放在车间通道', deadline: officeDate(-15) }],
  });
  await ok('POST', '/inspections', A, {
    unit_id: ids.factory, inspected_at: ago(3), inspectors: ['王五'], leader_led: false, campaign_id: ids.campaign,
    hazards: [
      { category: 'electrical', level: 'major', handling_type: 'deadline', description: '配电箱线路私拉乱接', deadline: officeDate(-3) },
      { category: 'evacuation', level: 'general', handling_type: 'deadline', description: '安全出口指示灯损坏', deadline: officeDate(-1) },
      { category: 'gas', level: 'general', handling_type: 'deadline', description: '燃气管道未设置警示标识', deadline: officeDate(10) },
      { category: 'fire_equipment', level: 'general', handling_type: 'on_the_spot', description: '灭火器压力不足', note: '当场更换灭火器' },
    ],
  });
  await ok('POST', '/inspections', A, {
    unit_id: ids.restaurant, inspected_at: ago(2), inspectors: ['张三'], leader_led: false, campaign_id: ids.campaign,
    hazards: [
      { category: 'gas', level: 'major', handling_type: 'deadline', description: '燃气软管老化开裂', deadline: officeDate(-1) },
      { category: 'gas', level: 'general', handling_type: 'deadline', description: '未安装燃气泄漏报警器', deadline: officeDate(7) },
    ],
  });
  // 金茂便利店: sixty hazards, so the ledger has more than one page.
  await ok('POST', '/inspections', A, {
    unit_id: ids.shop, inspected_at: ago(1), inspectors: ['张三'], leader_led: false,
    hazards: Array.from({ length: 60 }, (_, i) => ({ category: 'fire_equipment', level: 'general', handling_type: 'deadline', description: `货架第 ${i + 1} 排灭火器过期`, deadline: officeDate(14) })),
  });
  // A joint enforcement action suspends the factory.
  await ok('POST', '/enforcement-actions', A, {
    held_on: officeDate(-2), lead_department: 'market_supervision', departments: ['market_supervision', 'fire'], community_id: ids.bs,
    summary: '联合检查白沙路沿线小作坊', outcomes: [{ unit_id: ids.factory, violations_found: 2, violation_description: '无证经营、违规存放危险化学品', measure: 'suspension_ordered' }],
  });
}

before(async () => {
  server = await startServer(ADMIN.password);
  api = apiOf(server.base);
  await seed();
  browser = await launch();
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
});

async function unitTotal(query = '') {
  return (await api.ok('GET', `/units?count=true&limit=1${query}`, ids.admin)).total;
}

// ---------------------------------------------------------------------------------------

test('on a desk the tab bar is a side navigation; on a phone it stays at the bottom with 更多', async () => {
  lead = await deskContext(browser);
  const { page } = lead;
  await page.goto(`${server.base}/`);
  await login(page, SUPERVISOR);
  await page.locator('#dashboard').waitFor();
  const side = await page.locator('#tabs').boundingBox();
  assert.equal(side.x, 0);
  assert.ok(side.width < 260 && side.height > 600, `a side bar: ${JSON.stringify(side)}`);
  assert.ok(await page.locator('#tab-units').isVisible());
  assert.ok(await page.locator('#tab-ledger').isVisible());
  assert.ok(await page.locator('#tab-more').isHidden());
  assert.equal(await page.locator('#tab-admin').count(), 0, 'no administration for a supervisor');
  const view = await page.locator('#view').boundingBox();
  assert.ok(view.x >= side.width, 'the content beside the navigation');

  await page.setViewportSize(PHONE);
  const bar = await page.locator('#tabs').boundingBox();
  assert.ok(bar.y > PHONE.height - 100 && bar.width === PHONE.width, `a bottom bar: ${JSON.stringify(bar)}`);
  assert.ok(await page.locator('#tab-units').isHidden());
  await page.locator('#tab-more').click();
  await page.locator('#more-units').waitFor();
  await page.locator('#more-ledger').waitFor();
  await fitsWidth(page);
  await touchTargets(page);
  await page.setViewportSize(DESK);
});

test('a supervisor imports 200 units from Excel: the dry run shows the 3 bad rows and writes nothing; the fixed file imports', async () => {
  const { page } = lead;
  const before = await unitTotal();
  const kinds = ['餐饮', '商铺', '工厂', '仓库', '宾馆', '市场'];
  const communities = ['金茂路社区', 'BS', '南湖社区'];
  const header = ['单位名称', '社区', '类型', '地址', '统一社会信用代码', '联系人', '联系电话', '备注'];
  const rows = Array.from({ length: 200 }, (_, i) => [
    `新华街${i + 1}号${kinds[i % kinds.length]}`,
    communities[i % communities.length],
    kinds[i % kinds.length],
    `新华街${i + 1}号`,
    i % 4 === 0 ? creditCode(`91430100MA4N${String(10000 + i).slice(-5)}`) : '',
    i % 3 === 0 ? `负责人${i + 1}` : '',
    i % 5 === 0 ? `0731-8${String(1000000 + i).slice(-6)}` : '',
    '示例',
  ]);
  // Three bad rows (spreadsheet rows 18, 77 and 150): a wrong check character, a community
  // that does not exist, a kind the office does not use.
  const good = rows.map((r) => [...r]);
  rows[16][4] = `${creditCode('91430100MA4N99999').slice(0, 17)}${creditCode('91430100MA4N99999').endsWith('0') ? '1' : '0'}`;
  rows[75][1] = '东山社区';
  rows[148][2] = '歌舞厅';
  const bad = xlsx([header, ...rows], '单位');
  const fixed = xlsx([header, ...good], '单位');

  await page.goto(`${server.base}/#/units`);
  await page.locator('#unit-import').click();
  await page.locator('#import-page').waitFor();
  await page.locator('#import-file').setInputFiles({ name: '辖区单位.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bad });
  await page.locator('#import-preview').waitFor();
  assert.equal(await page.locator('#import-preview').getAttribute('data-rows'), '200');
  assert.equal(await page.locator('#import-preview').getAttribute('data-errors'), '3');
  const errorRows = page.locator('#import-errors tbody tr');
  assert.deepEqual(await errorRows.evaluateAll((trs) => trs.map((tr) => tr.dataset.row)), ['18', '77', '150']);
  const texts = await errorRows.allTextContents();
  assert.match(texts[0], /统一社会信用代码/);
  assert.match(texts[0], /校验/);
  assert.match(texts[1], /东山社区/);
  assert.match(texts[2], /类型只能是/);
  const problems = await page.locator('#import-errors td[data-col=problem]').allTextContents();
  for (const p of problems) assert.doesNotMatch(p, /[a-z_]{4,}|rows\[/, `a sentence, not a code: ${p}`);
  assert.match(await page.locator('#import-ignored').textContent(), /备注/);
  assert.ok(await page.locator('#import-confirm').isDisabled(), 'nothing to confirm while rows are wrong');
  assert.equal(await unitTotal(), before, 'the dry run wrote nothing');
  await screenshots(page, 'import', () => page.locator('#import-preview').waitFor());
  await phoneChecks(page);

  await page.locator('#import-file').setInputFiles({ name: '辖区单位（改正）.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: fixed });
  await page.locator('#import-preview.no-errors').waitFor();
  assert.equal(await page.locator('#import-preview [data-stat=created] .stat-value').textContent(), '200');
  assert.equal(await unitTotal(), before, 'checked, not yet written');
  await page.locator('#import-confirm').click();
  await page.locator('#import-done').waitFor();
  assert.equal(await page.locator('#import-done').getAttribute('data-created'), '200');
  assert.equal(await unitTotal(), before + 200);
  assert.equal(await unitTotal(`&community_id=${ids.nh}`), 66);
});

test('a unit is found by two Chinese characters, and its file shows its inspections, hazards, enforcement and history', async () => {
  const { page } = lead;
  await page.goto(`${server.base}/#/units`);
  await page.locator('#units-table').waitFor();
  assert.match(await page.locator('#unit-list-summary').textContent(), /共 204 个单位/);
  assert.ok(await page.locator('#page-next').isEnabled(), 'more than one page');
  await screenshots(page, 'units', () => page.locator('#units-table').waitFor());
  await phoneChecks(page);

  await page.locator('input[name=q]').fill('五金');
  await page.waitForFunction(() => document.querySelectorAll('#units-table tbody tr').length === 1);
  assert.equal(await page.locator('#units-table tbody tr').getAttribute('data-unit-id'), ids.factory);
  assert.match(await page.locator('#unit-list-summary').textContent(), /共 1 个单位/);
  assert.match(page.url(), /q=%E4%BA%94%E9%87%91/, 'the search is kept in the address');

  await page.locator('#units-table tbody tr a.row-link').click();
  await page.locator('#unit-page').waitFor();
  assert.equal(await page.locator('#unit-status').textContent(), '停产整顿');
  assert.equal(await page.locator('#unit-inspections li.insp').count(), 2);
  assert.equal(await page.locator('#unit-hazard-table tbody tr').count(), 5);
  assert.equal(await page.locator('#unit-stats [data-stat="unit.hazardsOverdue"] .stat-value').textContent(), '3');
  const enforcement = page.locator('#unit-enforcement li.enf');
  assert.equal(await enforcement.count(), 1);
  assert.match(await enforcement.textContent(), /责令停产整顿.*市场监管.*消防.*2 起/s);
  assert.match(await page.locator('#unit-events').textContent(), /责令停产整顿/);
  await screenshots(page, 'unit', () => page.locator('#unit-page').waitFor());
  await phoneChecks(page);

  // Edit: a new phone number, seen in the details and in the history.
  await page.locator('#unit-edit').click();
  await page.locator('#unit-form').waitFor();
  await page.locator('#unit-form input[name=contact_phone]').fill('abc');
  await page.locator('#unit-save').click();
  await page.locator('#unit-form [data-field=contact_phone] .field-error', { hasText: '不是有效的电话号码' }).waitFor();
  await screenshots(page, 'unit-form', () => page.locator('#unit-form').waitFor());
  await phoneChecks(page);
  await page.locator('#unit-form input[name=contact_phone]').fill('0731-8888-5678');
  assert.equal(await page.locator('#unit-form [data-field=contact_phone] .field-error').textContent(), '', 'the problem goes once the field changes');
  await page.locator('#unit-save').click();
  await page.locator('#unit-page [data-fact=contact_phone]', { hasText: '0731-8888-5678' }).waitFor();
  assert.match(await page.locator('#unit-events li[data-kind=updated]').first().textContent(), /联系电话：0731-8888-1234 → 0731-8888-5678/);
  assert.equal((await api.ok('GET', `/units/${ids.factory}`, ids.admin)).contact_phone, '0731-8888-5678');

  // Create: the credit code's check character is checked, in words.
  await page.goto(`${server.base}/#/units/new`);
  await page.locator('#unit-form').waitFor();
  await page.locator('#unit-form input[name=name]').fill('南湖茶楼');
  await page.locator('#unit-form select[name=community_id]').selectOption(ids.nh);
  await page.locator('#unit-form select[name=kind]').selectOption('restaurant');
  await page.locator('#unit-form input[name=address]').fill('南湖路3号');
  const code = creditCode('91430100MA4P12345');
  await page.locator('#unit-form input[name=credit_code]').fill(`${code.slice(0, 17)}${code.endsWith('1') ? '2' : '1'}`);
  await page.locator('#unit-save').click();
  await page.locator('#unit-form [data-field=credit_code] .field-error', { hasText: '校验码' }).waitFor();
  await page.locator('#unit-form input[name=credit_code]').fill(code);
  await page.locator('#unit-save').click();
  await page.locator('#unit-page').waitFor();
  assert.equal(await page.locator('#unit-name').textContent(), '南湖茶楼');
  const created = await api.ok('GET', `/units?q=${encodeURIComponent('茶楼')}`, ids.admin);
  assert.deepEqual(created.items.map((u) => [u.name, u.credit_code, u.community_id]), [['南湖茶楼', code, ids.nh]]);
  assert.deepEqual(lead.errors, [], 'no script errors on the pages');
});

test('the ledger: the overdue view most overdue first, filters, pages with one count, and the filtered list exported to Excel', async () => {
  const { page } = lead;
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/v1/hazards?')) requests.push(new URL(r.url()).searchParams); });
  await page.goto(`${server.base}/#/ledger`);
  await page.locator('#ledger-table').waitFor();
  const all = await api.ok('GET', '/hazards?count=true&limit=1', ids.admin);
  assert.match(await page.locator('#ledger-list-summary').textContent(), new RegExp(`共 ${all.total} 条隐患`));

  // Pages: the total is asked for once, not for each page.
  requests.length = 0;
  await page.locator('#page-next').click();
  await page.waitForFunction(() => document.querySelector('#ledger-list')?.dataset.page === '2');
  assert.match(await page.locator('#page-at').textContent(), /第 2 页，共 2 页/);
  assert.equal(await page.locator('#ledger-table tbody tr').count(), all.total - 50);
  assert.ok(requests.length >= 1 && requests.every((q) => !q.has('count') && q.has('cursor')), 'the next page without counting');

  // The overdue view: most overdue first.
  requests.length = 0;
  await page.locator('#view-overdue').click();
  await page.waitForFunction(() => [...document.querySelectorAll('#ledger-table tbody tr')].every((tr) => tr.dataset.overdue));
  const overdue = await page.locator('#ledger-table tbody tr').evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.overdue)));
  assert.deepEqual(overdue, [15, 3, 1, 1]);
  assert.ok(requests.some((q) => q.get('overdue') === 'true' && q.get('sort') === 'deadline_asc' && q.get('count') === 'true'));
  await screenshots(page, 'ledger', () => page.locator('#ledger-table').waitFor());

  // Filters: 白沙社区's overdue hazards, then a search within them.
  await page.locator('select[name=community_id]').selectOption(ids.bs);
  await page.waitForFunction(() => document.querySelectorAll('#ledger-table tbody tr').length === 3);
  await page.locator('input[name=q]').fill('线路');
  await page.waitForFunction(() => document.querySelectorAll('#ledger-table tbody tr').length === 1);
  assert.match(await page.locator('#ledger-table tbody tr').textContent(), /配电箱线路私拉乱接/);
  await page.locator('input[name=q]').fill('');
  await page.waitForFunction(() => document.querySelectorAll('#ledger-table tbody tr').length === 3);
  assert.match(page.url(), /overdue=true/);
  assert.match(page.url(), new RegExp(`community_id=${ids.bs}`));

  // Export this list: the workbook holds exactly these rows, in this order.
  const shown = await page.locator('#ledger-table td[data-col=description]').allTextContents();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#ledger-export-xlsx').click()]);
  assert.match(download.suggestedFilename(), /^隐患台账-.*\.xlsx$/);
  const book = readXlsx(await readFile(await download.path()));
  assert.equal(book.name, '隐患台账');
  const [head, ...lines] = book.rows.filter((r) => r.some((c) => c !== ''));
  assert.equal(head[0], '序号');
  const col = (name) => head.indexOf(name);
  assert.deepEqual(lines.map((r) => r[col('隐患描述')]), shown);
  assert.ok(lines.every((r) => r[col('社区')] === '白沙社区' && r[col('单位')] === '白沙五金厂'));
  assert.deepEqual(lines.map((r) => Number(r[col('逾期天数')])), [15, 3, 1]);

  // A hazard opened from the list goes back to the same list.
  await page.locator('#ledger-table tbody tr a.row-link').first().click();
  await page.locator('#hazard-page #hazard-unit', { hasText: '白沙五金厂' }).waitFor();
  await page.locator('#hazard-page a.btn-link').first().click();
  await page.waitForFunction(() => document.querySelectorAll('#ledger-table tbody tr').length === 3);
  assert.equal(await page.locator('select[name=community_id]').inputValue(), ids.bs);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('#ledger-export-csv').click()]);
  const text = (await readFile(await csv.path())).toString('utf8');
  assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 with a byte-order mark');
  assert.equal(text.trim().split('\r\n').length, 4, 'a header and three rows');

  // A unit's hazards, from its file.
  await page.goto(`${server.base}/#/unit/${ids.restaurant}`);
  await page.locator('#unit-ledger').click();
  await page.locator('#pin-unit', { hasText: '湘味小厨' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('#ledger-table tbody tr').length === 2);

  // In English.
  await page.locator('#lang').click();
  await page.locator('h1', { hasText: 'Hazard ledger' }).waitFor();
  await page.locator('#lang').click();
  await page.locator('h1', { hasText: '隐患台账' }).waitFor();
  await page.setViewportSize(PHONE);
  await fitsWidth(page);
  await touchTargets(page);
  await page.setViewportSize(DESK);
  assert.deepEqual(lead.errors, [], 'no script errors on the pages');
});

test('an admin creates an inspector scoped to one community, who then logs in and sees only it', async () => {
  admin = await deskContext(browser);
  const { page } = admin;
  await page.goto(`${server.base}/`);
  await login(page, ADMIN);
  await page.locator('#tab-admin').click();
  await page.locator('#admin-users').waitFor();

  // Communities and campaigns.
  await page.locator('#admin-tab-communities').click();
  await page.locator('#community-form').waitFor();
  await page.locator('#community-form input[name=name]').fill('东山社区');
  await page.locator('#community-form input[name=code]').fill('JML');
  await page.locator('#community-form-save').click();
  await page.locator('#community-form-error', { hasText: '已被其他社区使用' }).waitFor();
  await page.locator('#community-form input[name=code]').fill('DS');
  await page.locator('#community-form-save').click();
  await page.locator('#community-table tr', { hasText: '东山社区' }).waitFor();
  await screenshots(page, 'admin-communities', () => page.locator('#community-table').waitFor());
  await phoneChecks(page);
  await page.locator('#admin-tab-campaigns').click();
  await page.locator('#campaign-form').waitFor();
  await page.locator('#campaign-form input[name=name]').fill('百日攻坚行动');
  await page.locator('#campaign-form input[name=starts_on]').fill(officeDate(0));
  await page.locator('#campaign-form input[name=ends_on]').fill(officeDate(-1));
  await page.locator('#campaign-form-save').click();
  await page.locator('#campaign-form [data-field=ends_on] .field-error', { hasText: '不能早于开始日期' }).waitFor();
  await page.locator('#campaign-form input[name=ends_on]').fill(officeDate(100));
  await page.locator('#campaign-form-save').click();
  await page.locator('#campaign-table tr', { hasText: '百日攻坚行动' }).waitFor();
  await screenshots(page, 'admin-campaigns', () => page.locator('#campaign-table').waitFor());
  await phoneChecks(page);

  // The inspector: 白沙社区 only.
  await page.locator('#admin-tab-users').click();
  await page.locator('#user-new').click();
  await page.locator('#user-form').waitFor();
  await page.locator('#user-form input[name=username]').fill('wangxiao');
  await page.locator('#user-form input[name=display_name]').fill('王晓');
  await page.locator('#user-form select[name=role]').selectOption('inspector');
  await page.locator(`#scope-communities input[value="${ids.bs}"]`).check();
  const password = await page.locator('#user-form input[name=password]').inputValue();
  assert.ok(password.length >= 10);
  await screenshots(page, 'admin-user-new', () => page.locator('#user-form').waitFor());
  await phoneChecks(page);
  await page.locator('#user-form-save').click();
  await page.locator('#user-handover', { hasText: password }).waitFor();
  const users = await api.ok('GET', '/users', ids.admin);
  const wang = users.items.find((u) => u.username === 'wangxiao');
  assert.deepEqual([wang.role, wang.community_ids, wang.must_change_password, wang.display_name], ['inspector', [ids.bs], true, '王晓']);
  await screenshots(page, 'admin-user', () => page.locator('#user-facts').waitFor());
  await phoneChecks(page);
  await page.locator('#admin-tab-users').click();
  await page.locator('#user-table tr[data-username=wangxiao]').waitFor();
  await screenshots(page, 'admin-users', () => page.locator('#user-table').waitFor());
  await phoneChecks(page);

  // 王晓 logs in on a phone, sets a password of their own, and sees 白沙社区 only.
  const phone = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const p = await phone.newPage();
  const phoneErrors = [];
  p.on('pageerror', (e) => phoneErrors.push(e.message));
  await p.goto(`${server.base}/`);
  await login(p, { username: 'wangxiao', password });
  await p.locator('#password-form[data-required=true]').waitFor();
  await p.locator('input[name=current_password]').fill(password);
  await p.locator('input[name=new_password]').fill('baisha-road-2026');
  await p.locator('input[name=new_password_again]').fill('baisha-road-2026');
  await p.locator('#password-submit').click();
  await p.locator('#inspection-form').waitFor();
  await p.locator('#unit-results [data-unit-id]').first().waitFor();
  const bsUnits = (await api.ok('GET', `/units?community_id=${ids.bs}&limit=500`, ids.admin)).items.map((u) => u.id).sort();
  const picker = await p.locator('#unit-results [data-unit-id]').evaluateAll((els) => els.map((e) => e.dataset.unitId));
  assert.ok(picker.every((id) => bsUnits.includes(id)), 'the form offers 白沙社区 units only');
  await p.locator('#tab-more').click();
  await p.locator('#more-units').click();
  await p.locator('#units-table').waitFor();
  assert.match(await p.locator('#unit-list-summary').textContent(), new RegExp(`共 ${bsUnits.length} 个单位`));
  const communitiesShown = await p.locator('#units-table td[data-col=community]').allTextContents();
  assert.ok(communitiesShown.length > 0 && communitiesShown.every((c) => c === '白沙社区'), communitiesShown.join(','));
  assert.deepEqual(await p.locator('select[name=community_id] option').allTextContents(), ['全部', '白沙社区']);
  assert.equal(await p.locator('#unit-new').count(), 0, 'an inspector does not create units');
  await p.goto(`${server.base}/#/ledger`);
  await p.locator('#ledger-table').waitFor();
  const ledgerCommunities = await p.locator('#ledger-table td[data-col=community]').allTextContents();
  assert.ok(ledgerCommunities.length === 5 && ledgerCommunities.every((c) => c === '白沙社区'), ledgerCommunities.join(','));
  await fitsWidth(p);
  assert.deepEqual(phoneErrors, [], 'no script errors on the phone');

  // The admin resets the password (it must be changed at the next login), then deactivates.
  await page.goto(`${server.base}/#/admin/users/${wang.id}`);
  await page.locator('#user-reset').waitFor();
  await page.locator('#new_password-generate').click();
  const temporary = await page.locator('#user-reset input[name=new_password]').inputValue();
  await page.locator('#user-reset-save').click();
  await page.locator('#user-handover', { hasText: temporary }).waitFor();
  const relog = await api.ok('POST', '/auth/login', null, { username: 'wangxiao', password: temporary });
  assert.equal(relog.must_change_password, true);
  page.once('dialog', (d) => d.accept());
  await page.locator('#user-deactivate textarea[name=reason]').fill('调离本街道');
  await page.locator('#user-deactivate-save').click();
  await page.locator('#user-reactivate').waitFor();
  assert.equal((await api.call('POST', '/auth/login', null, { username: 'wangxiao', password: temporary })).status, 401);
  assert.deepEqual(admin.errors, [], 'no script errors on the pages');
  await phone.close();
});
