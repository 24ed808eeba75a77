// Shared by the browser tests of the office's pages: a safetrace binary on a fresh data
// directory and a free port, API calls, Chromium, screenshots at desk and phone sizes, and
// workbooks written and read without a spreadsheet program (XLSX is zipped XML: fflate
// zips and unzips, the sheet's XML is written and read here).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync, unzipSync, strToU8, strFromU8 } from 'fflate';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = process.env.SAFETRACE_SCREENSHOTS && process.env.SAFETRACE_SCREENSHOTS !== '0'
  ? path.resolve(process.env.SAFETRACE_SCREENSHOTS)
  : path.join(ROOT, 'docs', 'screenshots');
export const TZ = 'Asia/Shanghai';
export const DESK = { width: 1366, height: 900 };
export const PHONE = { width: 360, height: 740 };
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

/** A server on a fresh data directory: `{ base, stop() }`. */
export async function startServer(adminPassword) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'safetrace-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, SAFETRACE_BIND: `127.0.0.1:${port}`, SAFETRACE_DATA_DIR: dataDir, SAFETRACE_ADMIN_PASSWORD: adminPassword, SAFETRACE_LOG: 'warn', SAFETRACE_WORKERS: '2' };
  delete env.DATABASE_URL;
  const server = spawn(binary(), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (d) => { log += d; });
  server.stderr.on('data', (d) => { log += d; });
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => { server.once('exit', r); setTimeout(r, 3000); });
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`safetrace exited: ${log}`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return { base, stop };
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`safetrace did not come up: ${log}`);
}

/** The API of one server: `call` answers `{status, body}`, `ok` asserts a 2xx. */
export function apiOf(base) {
  const call = async (method, p, token, body) => {
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
  };
  const ok = async (method, p, token, body) => {
    const r = await call(method, p, token, body);
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return { call, ok };
}

/** Today in the office's zone, and days around it. */
export function officeDate(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--lang=zh-CN'];

export function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * A desk-sized context (1366 × 900) rendered at twice the pixels, so that a phone-sized
 * screenshot of the same page is as sharp as the phone tests' ones. Page errors are kept.
 */
export async function deskContext(browser) {
  const context = await browser.newContext({ viewport: DESK, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: TZ, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text()); });
  return { context, page, errors };
}

export async function login(page, who) {
  await page.locator('#login-form input[name=username]').fill(who.username);
  await page.locator('#login-form input[name=password]').fill(who.password);
  await page.locator('#login-form button[type=submit]').click();
}

async function settle(page) {
  await page.evaluate(() => { window.scrollTo(0, 0); const t = document.getElementById('toast'); if (t) t.hidden = true; });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * The page as it is, at 1366 × 900 (`<name>-desk.png`, the whole page up to 1,600 px high)
 * and at 360 × 740 (`<name>-phone.png`, the whole page up to 2,200 px); then back to the
 * desk size. `ready` is waited for after each resize.
 */
export async function screenshots(page, name, ready) {
  if (process.env.SAFETRACE_SCREENSHOTS === '0') return;
  await mkdir(SHOTS, { recursive: true });
  const shoot = async (size, file, maxHeight, scale) => {
    await page.setViewportSize(size);
    if (ready) await ready();
    await settle(page);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: size.width, height: Math.min(Math.max(height, size.height), maxHeight) });
    await settle(page);
    await page.screenshot({ path: path.join(SHOTS, file), animations: 'disabled', scale });
  };
  await shoot(DESK, `${name}-desk.png`, 1600, 'css');
  await shoot(PHONE, `${name}-phone.png`, 2200, 'device');
  await page.setViewportSize(DESK);
  if (ready) await ready();
}

/** The page fits its width (nothing scrolls sideways). */
export async function fitsWidth(page) {
  const [width, viewport] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(width <= viewport, `the page is ${width}px wide at a ${viewport}px viewport`);
}

/** Every visible button, link, input and select is at least 44 px tall (and checkboxes' labels). */
export async function touchTargets(page, scope = '#view') {
  const small = await page.evaluate((sel) => {
    const out = [];
    for (const el of document.querySelectorAll(`${sel} a, ${sel} button, ${sel} input:not([type=checkbox]):not([type=radio]):not(.file-hidden), ${sel} select, ${sel} summary, #tabs a, .top a, .top button, .top summary`)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (el.closest('.seg') || el.closest('.check') || el.closest('.toggle')) continue;
      // Buttons that hold only an icon or a sign are as wide as they are tall.
      if (el.matches('.thumb-remove, .btn-icon, .btn-top, .viewer-nav') && r.width < 43.5) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.width)}px wide`);
      if (r.height < 43.5) out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent || el.name || '').trim().slice(0, 20)}" ${Math.round(r.height)}px`);
    }
    return out;
  }, scope);
  assert.deepEqual(small, [], 'touch targets of at least 44 px');
}

// ---------------------------------------------------------------------------------------
// Workbooks

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function columnName(i) {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function columnIndex(ref) {
  const letters = /^[A-Z]+/.exec(ref)[0];
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 64);
  return n - 1;
}

/** An XLSX workbook of one sheet whose cells are the given rows of text (inline strings). */
export function xlsx(rows, sheetName = 'Sheet1') {
  const sheetRows = rows.map((row, r) => `<row r="${r + 1}">${row.map((v, c) => (v === '' || v === null || v === undefined ? '' : `<c r="${columnName(c)}${r + 1}" t="inlineStr"><is><t xml:space="preserve">${esc(v)}</t></is></c>`)).join('')}</row>`).join('');
  const files = {
    '[Content_Types].xml': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    '_rels/.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${esc(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    'xl/worksheets/sheet1.xml': `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>${sheetRows}</sheetData></worksheet>`,
  };
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));
}

const unesc = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n))).replace(/&amp;/g, '&');

/** The first sheet of an XLSX workbook as rows of text: `{ name, rows }`. */
export function readXlsx(bytes) {
  const files = unzipSync(new Uint8Array(bytes));
  const text = (p) => (files[p] ? strFromU8(files[p]) : '');
  const shared = [...text('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => unesc([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')));
  const workbook = text('xl/workbook.xml');
  const name = unesc((/<sheet [^>]*name="([^"]*)"/.exec(workbook) || [])[1] || '');
  const rels = text('xl/_rels/workbook.xml.rels');
  const rid = (/<sheet [^>]*r:id="([^"]*)"/.exec(workbook) || [])[1];
  const target = (new RegExp(`Id="${rid}"[^>]*Target="([^"]*)"`).exec(rels) || new RegExp(`Target="([^"]*)"[^>]*Id="${rid}"`).exec(rels) || [])[1] || 'worksheets/sheet1.xml';
  const sheet = text(`xl/${target.replace(/^\/?xl\//, '').replace(/^\//, '')}`);
  const rows = [];
  for (const rm of sheet.matchAll(/<row[^>]*?(?:\/>|>([\s\S]*?)<\/row>)/g)) {
    const row = [];
    for (const cm of (rm[1] || '').matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = cm[1];
      const ref = /r="([A-Z]+\d+)"/.exec(attrs)[1];
      const type = (/t="([^"]*)"/.exec(attrs) || [])[1] || 'n';
      const body = cm[2] || '';
      let value = '';
      if (type === 's') value = shared[Number((/<v>([\s\S]*?)<\/v>/.exec(body) || [])[1])] ?? '';
      else if (type === 'inlineStr') value = unesc([...body.matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join(''));
      else value = unesc((/<v>([\s\S]*?)<\/v>/.exec(body) || [])[1] || '');
      row[columnIndex(ref)] = value;
    }
    rows.push(Array.from(row, (v) => v ?? ''));
  }
  return { name, rows };
}

/** A valid unified social credit code (GB 32100) ending a 17-character body. */
export function creditCode(body17) {
  const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += ALPHABET.indexOf(body17[i]) * WEIGHTS[i];
  return body17 + ALPHABET[(31 - (sum % 31)) % 31];
}

/** At 360 px: nothing scrolls sideways and every touch target is 44 px or more; then back. */
export async function phoneChecks(page) {
  await page.setViewportSize(PHONE);
  await settle(page);
  await fitsWidth(page);
  await touchTargets(page);
  await page.setViewportSize(DESK);
}
