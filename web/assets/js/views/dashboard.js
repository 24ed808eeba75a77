// The supervisor's dashboard: open, overdue and major hazards per community, closure
// rates per community and per category (SVG bars), the hazards waiting for verification,
// overdue and major ones, and the month's report as Excel and CSV.

import { t, label, lang } from '../i18n.js';
import { h, mount, toast, icon, localDate } from '../dom.js';
import { api, download, describe } from '../api.js';
import * as data from '../data.js';
import { rateChart } from '../chart.js';
import { hazardLine } from './rectify.js';

const TABLES = ['summary', 'by_community', 'by_category', 'overdue', 'major', 'enforcement', 'leader_led'];

function periodDefaults() {
  const today = localDate();
  return { from: `${today.slice(0, 4)}-01-01`, to: today };
}

function stat(key, value, cls) {
  return h('div', { class: ['stat', cls], dataset: { stat: key } }, h('span', { class: 'stat-value' }, value ?? '—'), h('span', { class: 'stat-label' }, t(`dash.${key}`)));
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
  let byCommunity; let byCategory; let pending; let overdue; let major; let units;
  try {
    [byCommunity, byCategory, pending, overdue, major, units] = await Promise.all([
      api(`reports/summary?${q}&group_by=community`),
      api(`reports/summary?${q}&group_by=category`),
      api('hazards?status=pending_verification&limit=100'),
      api('hazards?overdue=true&limit=100'),
      api('hazards?level=major&limit=200'),
      data.unitMap(),
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
    h('section', { class: 'card' }, h('h2', {}, t('dash.toVerify'), ` (${pending.items.length})`), hazardList('pending-list', pending.items, units)),
    h('section', { class: 'card' }, h('h2', {}, t('dash.overdueList'), ` (${overdue.items.length})`), hazardList('overdue-list', overdue.items, units)),
    h('section', { class: 'card' }, h('h2', {}, t('dash.majorList')),
      hazardList('major-list', major.items.filter((hz) => hz.status === 'open' || hz.status === 'pending_verification'), units)),
    h('section', { class: 'card', id: 'reports' },
      h('h2', {}, t('dash.reports')),
      h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('dash.month')), month),
      h('div', { class: 'row' }, excel),
      h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('dash.table')), table),
      h('div', { class: 'row' }, csv))));
}
