// The supervisor's dashboard: the month's report as Excel and CSV at the top; open, overdue
// and major hazards per community, closure rates per community and per category (SVG
// bars); the hazards waiting for verification (longest waiting first), overdue (most
// overdue first) and major, each list with its true total and paged through all of it.

import '../i18n-paper.js';
import { t, label, lang } from '../i18n.js';
import { h, mount, toast, icon, localDate } from '../dom.js';
import { api, download, describe } from '../api.js';
import * as lookup from '../lookup.js';
import { Pager } from '../lists.js';
import { rateChart } from '../chart.js';
import { hazardLine } from './rectify.js';

const TABLES = ['summary', 'by_community', 'by_category', 'by_unit_kind', 'overdue', 'major', 'enforcement', 'leader_led', 'recurrent'];

function periodDefaults() {
  const today = localDate();
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

function stat(key, value, cls) {
  return h('div', { class: ['stat', cls], dataset: { stat: key } }, h('span', { class: 'stat-value' }, value ?? '—'), h('span', { class: 'stat-label' }, t(`dash.${key}`)));
}

const PAGE = 10;

/**
 * A list of hazards from the API (`path`: its filters and sort), PAGE at a time with its
 * total; `heading` gets the total too.
 */
function hazardPager(id, path, heading) {
  const pager = new Pager({
    id: `${id}-pager`,
    navIds: id,
    pageSize: PAGE,
    unit: 'dash.hazardsUnit',
    load: (cursor, count) => api(`${path}&limit=${PAGE}${count ? '&count=true' : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    draw: async (items) => {
      if (pager.total !== null) heading.textContent = ` (${pager.total.toLocaleString('zh-CN')})`;
      const units = await lookup.units(items.map((hz) => hz.unit_id));
      return hazardList(id, items, units);
    },
  });
  return pager;
}

function hazardList(id, hazards, units) {
  if (hazards.length === 0) return h('p', { class: 'muted', id }, t('dash.nothing'));
  return h('div', { class: 'choices', id },
    ...hazards.map((hz) => h('a', { href: `#/hazard/${hz.id}`, class: 'choice', dataset: { hazardId: hz.id } },
      ...hazardLine(hz, units.get(hz.unit_id)?.name),
      h('span', { class: ['tag', `status-${hz.status}`] }, label('status', hz.status)))));
}

export async function dashboardView(root, ctx) {
  const period = { ...periodDefaults() };
  if (ctx.params.get('from')) period.from = ctx.params.get('from');
  if (ctx.params.get('to')) period.to = ctx.params.get('to');
  const q = `from=${period.from}&to=${period.to}`;
  let byCommunity; let byCategory;
  const counts = { pending: h('span', { id: 'pending-total' }), overdue: h('span', { id: 'overdue-total' }), major: h('span', { id: 'major-total' }) };
  const pending = hazardPager('pending-list', 'hazards?status=pending_verification&sort=waiting_longest', counts.pending);
  const overdue = hazardPager('overdue-list', 'hazards?overdue=true&sort=deadline_asc', counts.overdue);
  const major = hazardPager('major-list', 'hazards?level=major&status=open,pending_verification&sort=deadline_asc', counts.major);
  try {
    [byCommunity, byCategory] = await Promise.all([
      api(`reports/summary?${q}&group_by=community`),
      api(`reports/summary?${q}&group_by=category`),
      pending.reset(),
      overdue.reset(),
      major.reset(),
    ]);
  } catch (err) {
    if (!ctx.current()) return;
    mount(root, h('div', { class: 'stack' }, h('h1', {}, t('dash.title')), h('p', { class: 'error' }, t('err.load', { e: describe(err, t) })),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => ctx.refresh() }, t('common.refresh'))));
    return;
  }
  if (!ctx.current()) return;
  const tot = byCommunity.totals;
  const from = h('input', { type: 'date', name: 'from', value: period.from });
  const to = h('input', { type: 'date', name: 'to', value: period.to });
  const month = h('input', { type: 'month', name: 'month', value: localDate().slice(0, 7) });
  const table = h('select', { name: 'table' }, ...TABLES.map((name) => h('option', { value: name }, t(`table.${name}`))));
  const fetchFile = async (button, path, name) => {
    button.disabled = true;
    try {
      const file = await download(path, name);
      toast(t('dash.downloaded', { f: file }), 'ok');
    } catch (err) {
      toast(describe(err, t), 'error');
    } finally {
      button.disabled = false;
    }
  };
  const excel = h('button', { type: 'button', class: 'btn btn-secondary', id: 'download-xlsx' }, icon('download'), t('dash.excel'));
  excel.onclick = () => fetchFile(excel, `/api/v1/reports/monthly.xlsx?month=${month.value}&lang=${lang()}`, `safetrace-${month.value}.xlsx`);
  const csv = h('button', { type: 'button', class: 'btn btn-secondary', id: 'download-csv' }, icon('download'), t('dash.csv'));
  csv.onclick = () => fetchFile(csv, `/api/v1/reports/monthly.csv?month=${month.value}&table=${table.value}&lang=${lang()}`, `safetrace-${month.value}-${table.value}.csv`);

  const rows = byCommunity.rows;
  const open = (c) => c.hazards_open + c.hazards_pending_verification;
  mount(root, h('div', { class: 'stack dashboard', id: 'dashboard' },
    h('h1', {}, t('dash.title')),
    h('form', {
      class: 'period',
      onsubmit: (e) => { e.preventDefault(); ctx.go(`#/dashboard?from=${from.value}&to=${to.value}`); },
    },
    h('label', {}, h('span', {}, t('dash.from')), from),
    h('label', {}, h('span', {}, t('dash.to')), to),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, t('common.refresh'))),
    h('section', { class: 'card', id: 'reports' },
      h('h2', {}, t('dash.reports')),
      h('div', { class: 'report-row' },
        h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('dash.month')), month),
        h('div', { class: 'row' }, excel)),
      h('div', { class: 'report-row' },
        h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('dash.table')), table),
        h('div', { class: 'row' }, csv))),
    h('div', { class: 'stats', id: 'totals' },
      stat('found', tot.hazards_found),
      stat('closed', tot.hazards_closed, 'good'),
      stat('open', open(tot)),
      stat('overdue', tot.hazards_overdue, tot.hazards_overdue > 0 ? 'bad' : ''),
      stat('major', tot.major_open, tot.major_open > 0 ? 'bad' : ''),
      stat('rate', tot.closure_rate_pct)),
    h('section', { class: 'card' },
      h('h2', {}, t('dash.byCommunity')),
      h('div', { class: 'table-wrap' },
        h('table', { class: 'table', id: 'community-table' },
          h('thead', {}, h('tr', {}, ...['community', 'open', 'overdue', 'majorShort', 'rate'].map((k) => h('th', { scope: 'col' }, t(`dash.${k}`))))),
          h('tbody', {}, ...rows.map((r) => h('tr', { dataset: { community: r.key || '' } },
            h('th', { scope: 'row' }, r.label),
            h('td', {}, String(open(r))),
            h('td', { class: r.hazards_overdue > 0 ? 'bad' : '' }, String(r.hazards_overdue)),
            h('td', { class: r.major_open > 0 ? 'bad' : '' }, String(r.major_open)),
            h('td', {}, r.closure_rate_pct ?? '—'))))))),
    h('section', { class: 'card', id: 'chart-community' },
      h('h2', {}, t('dash.rateByCommunity')),
      rateChart(rows.map((r) => ({ key: r.key, label: r.label, value: r.closure_rate === null ? null : Number(r.closure_rate), text: r.closure_rate_pct })), { title: t('dash.rateByCommunity') })),
    h('section', { class: 'card', id: 'chart-category' },
      h('h2', {}, t('dash.rateByCategory')),
      rateChart(byCategory.rows.map((r) => ({ key: r.key, label: label('category', r.key) || r.label, value: r.closure_rate === null ? null : Number(r.closure_rate), text: r.closure_rate_pct })), { title: t('dash.rateByCategory') })),
    h('section', { class: 'card', id: 'pending-section' }, h('h2', {}, t('dash.toVerify'), counts.pending), h('p', { class: 'muted small' }, t('dash.pendingOrder')), pending.box),
    h('section', { class: 'card', id: 'overdue-section' }, h('h2', {}, t('dash.overdueList'), counts.overdue), h('p', { class: 'muted small' }, t('dash.overdueOrder')), overdue.box),
    h('section', { class: 'card', id: 'major-section' }, h('h2', {}, t('dash.majorList'), counts.major), h('p', { class: 'muted small' }, t('dash.majorOrder')), major.box)));
}
