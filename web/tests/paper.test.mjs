// End-to-end: the office's papers in headless Chromium against a real safetrace binary —
// the 安全隐患整改通知书 issued from a hazard's page and the 整改复查意见书 issued after a
// verification, each printed to PDF by Chromium: its text (pdftotext) holds the number,
// the unit and every hazard, and a notice of five hazards is one A4 page (pdfinfo).
// Screenshots of both pages and of the printed pages go to docs/screenshots/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, mkdir, rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startServer, apiOf, officeDate, launch, deskContext, login, screenshots, phoneChecks, SHOTS,
} from './support.mjs';

const ADMIN = { username: 'admin', password: 'e2e-paper-office-2026' };
const SUPERVISOR = { username: 'zhaoliu', password: 'jinmao-check-2026', display_name: '赵六' };
const OFFICE = '金茂街道办事处';
const PHONE_NO = '0731-8520 1234';

let server;
let api;
let browser;
let tmp;
const ids = {};

const HAZARDS = [
  { category: 'gas', level: 'major', description: '后厨燃气软管老化开裂，长度超过两米且穿墙敷设', legal_basis: '《城镇燃气管理条例》第二十八条' },
  { category: 'electrical', level: 'general', description: '配电箱内线路私拉乱接，未安装漏电保护装置', legal_basis: '《中华人民共和国消防法》第二十一条' },
  { category: 'evacuation', level: 'general', description: '二楼安全出口被杂物堵塞，疏散指示标志损坏', legal_basis: '《机关、团体、企业、事业单位消防安全管理规定》第二十一条' },
  { category: 'fire_equipment', level: 'general', description: '大堂灭火器压力不足，部分已过有效期', legal_basis: '《中华人民共和国消防法》第十六条' },
  { category: 'gas', level: 'general', description: '未安装可燃气体泄漏报警装置', legal_basis: '《城镇燃气管理条例》第十八条' },
];

before(async () => {
  process.env.SAFETRACE_OFFICE_NAME = OFFICE;
  process.env.SAFETRACE_OFFICE_PHONE = PHONE_NO;
  process.env.SAFETRACE_REQUIRE_EVIDENCE = 'false';
  server = await startServer(ADMIN.password);
  api = apiOf(server.base);
  const { ok } = api;
  const A = (ids.admin = (await ok('POST', '/auth/login', null, ADMIN)).token);
  ids.jml = (await ok('POST', '/communities', A, { name: '金茂路社区', code: 'JML' })).id;
  ids.unit = (await ok('POST', '/units', A, { community_id: ids.jml, name: '湘味小厨', kind: 'restaurant', address: '金茂路12号', contact_name: '刘先生', contact_phone: '138-0000-0000' })).id;
  await ok('POST', '/users', A, { ...SUPERVISOR, role: 'supervisor' });
  ids.sup = (await ok('POST', '/auth/login', null, { username: SUPERVISOR.username, password: SUPERVISOR.password })).token;
  const found = await ok('POST', '/inspections', A, {
    unit_id: ids.unit, inspected_at: new Date(Date.now() - 2 * 86_400_000).toISOString(), inspectors: ['张三', '李四'], leader_led: true,
    hazards: [
      ...HAZARDS.map((hz, i) => ({ ...hz, handling_type: 'deadline', deadline: officeDate(7 + i) })),
      { category: 'fire_equipment', level: 'general', handling_type: 'on_the_spot', description: '消防通道停放电动车', note: '当场挪走' },
    ],
  });
  ids.inspection = found.id;
  ids.hazards = found.hazards.map((hz) => hz.id);
  browser = await launch();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'safetrace-paper-'));
});

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Prints the page as the browser's 打印 would (print media, the page's A4 size) and reads it back. */
async function printed(page, name) {
  const file = path.join(tmp, `${name}.pdf`);
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const pages = Number(/Pages:\s+(\d+)/.exec(info)[1]);
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts/.exec(info);
  if (process.env.SAFETRACE_SCREENSHOTS !== '0') {
    await mkdir(SHOTS, { recursive: true });
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', file, path.join(tmp, name)]);
    await rename(path.join(tmp, `${name}.png`), path.join(SHOTS, `${name}-print.png`));
  }
  return { text: text.replace(/[ \t]+/g, ' '), pages, width: Number(size[1]), height: Number(size[2]) };
}

/** Text as pdftotext lays it out may break a long line anywhere: compare without spaces and breaks. */
const squash = (s) => s.replace(/\s+/g, '');

test('a notice of five hazards is issued from the hazard page, shows every hazard, and prints on one A4 page', async () => {
  const { context, page, errors } = await deskContext(browser);
  await page.goto(`${server.base}/`);
  await login(page, ADMIN);
  await page.locator('#dashboard').waitFor();
  await page.goto(`${server.base}/#/hazard/${ids.hazards[0]}`);
  await page.locator('#notice-link').click();
  await page.locator('#notice-page-issue').click();
  await page.locator('#notice-paper').waitFor();
  const number = await page.locator('#paper-number').textContent();
  assert.match(number, /^安隐改〔\d{4}〕0001号$/);
  const shown = await page.locator('#notice-paper').textContent();
  for (const hz of HAZARDS) assert.ok(shown.includes(hz.description), hz.description);
  assert.ok(shown.includes(OFFICE) && shown.includes('湘味小厨') && shown.includes('金茂路12号') && shown.includes('当场挪走'));
  await screenshots(page, 'notice', () => page.locator('#notice-paper').waitFor());
  await phoneChecks(page);

  const pdf = await printed(page, 'notice');
  assert.equal(pdf.pages, 1, 'a notice of five hazards fits one page');
  assert.ok(Math.abs(pdf.width - 595) < 2 && Math.abs(pdf.height - 842) < 2, `A4: ${pdf.width} x ${pdf.height}`);
  const text = squash(pdf.text);
  assert.ok(text.includes(squash(number)), 'the number');
  assert.ok(text.includes('湘味小厨') && text.includes('金茂路12号'), 'the unit and its address');
  assert.ok(text.includes(OFFICE), 'the office');
  for (const hz of HAZARDS) assert.ok(text.includes(squash(hz.description)), `the hazard ${hz.description}`);
  assert.ok(text.includes('消防通道停放电动车'), 'the on-the-spot hazard');
  assert.ok(text.includes('检查人员（签名）') && text.includes('被检查单位负责人（签名）'), 'the signature lines');
  assert.ok(!text.includes('打印'), 'no buttons in print');

  // The same notice again from the API: issued once.
  const again = await api.call('POST', `/inspections/${ids.inspection}/notice`, ids.admin);
  assert.equal(again.status, 200);
  assert.equal(again.body.number, number);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a re-check opinion is issued after the verification and prints with the outcome', async () => {
  const { ok } = api;
  const rect = await ok('POST', `/hazards/${ids.hazards[0]}/rectifications`, ids.admin, {
    measures: '更换全部燃气软管为金属波纹管，并加装燃气泄漏报警器', responsible_person: '刘先生', cost: 1280,
    completed_at: new Date(Date.now() - 3_600_000).toISOString(), evidence_ids: [],
  });
  const { context, page, errors } = await deskContext(browser);
  await page.goto(`${server.base}/`);
  await login(page, SUPERVISOR);
  await page.locator('#dashboard').waitFor();
  await page.goto(`${server.base}/#/recheck/${rect.id}`);
  await page.locator('#recheck-page').waitFor();
  assert.equal(await page.locator('#recheck-page-issue').count(), 1, 'the button shows');
  await page.locator('#recheck-page-issue').click();
  await page.locator('#recheck-page .error').waitFor();
  assert.match(await page.locator('#recheck-page .error').textContent(), /还没有复查/, 'not verified yet: a sentence');
  await ok('POST', `/rectifications/${rect.id}/verification`, ids.sup, { outcome: 'pass', comment: '现场复查，软管已更换，报警器工作正常' });
  await page.goto(`${server.base}/#/hazard/${ids.hazards[0]}`);
  await page.locator('.recheck-link').click();
  await page.locator('#recheck-page-issue').click();
  await page.locator('#recheck-paper').waitFor();
  const number = await page.locator('#paper-number').textContent();
  assert.match(number, /^安隐复〔\d{4}〕0001号$/);
  assert.equal(await page.locator('#recheck-outcome').getAttribute('data-outcome'), 'pass');
  await screenshots(page, 'recheck', () => page.locator('#recheck-paper').waitFor());
  await phoneChecks(page);

  const pdf = await printed(page, 'recheck');
  assert.equal(pdf.pages, 1);
  const text = squash(pdf.text);
  assert.ok(text.includes(squash(number)), 'the number');
  assert.ok(text.includes('湘味小厨'), 'the unit');
  assert.ok(text.includes(squash(HAZARDS[0].description)), 'the hazard');
  assert.ok(text.includes('金属波纹管') && text.includes('1280.00元'), 'the measures and the cost');
  assert.ok(text.includes('同意销号') && text.includes('赵六'), 'the outcome and the verifier');
  assert.ok(text.includes('安隐改'), 'the notice that ordered it');
  assert.deepEqual(errors, []);
  await context.close();
});
