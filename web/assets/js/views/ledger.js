// The ledger (隐患台账): every hazard in scope with every filter of the API, a search,
// pages, quick views (the overdue one sorted most overdue first), and "export this list"
// to Excel or CSV with the same filters and order.

import { t, label, options } from '../i18n.js';
import { h, mount, icon } from '../dom.js';
import { api } from '../api.js';
import * as lookup from '../lookup.js';
import { Pager, dataTable, query, keepInAddress, selectField, debounce, exportButtons } from '../lists.js';
import { explain } from '../problems.js';
import '../i18n-office.js';

const FILTERS = ['q', 'status', 'overdue', 'community_id', 'unit_id', 'unit_kind', 'category', 'level', 'handling_type', 'campaign_id', 'inspection_id', 'found_from', 'found_to', 'sort'];
const STATUSES = ['open', 'pending_verification', 'closed', 'voided'];

/** Quick views: a name and the filters it sets (the others are cleared but the search). */
const VIEWS = {
  all: {},
  unresolved: { status: ['open', 'pending_verification'] },
  overdue: { overdue: 'true', sort: 'deadline_asc' },
  waiting: { status: ['pending_verification'], sort: 'waiting_longest' },
  major: { level: 'major', status: ['open', 'pending_verification'] },
};

/** The columns of a hazard table (the ledger's, and a unit's file without unit and community). */
export function hazardColumns({ units = null, communities = null, unit = true, community = true } = {}) {
  const cols = [
    { key: 'found_on', title: t('led.found'), cls: 'nowrap', cell: (hz) => hz.found_on },
    { key: 'description', title: t('led.description'), primary: true, cls: 'wrap', cell: (hz) => h('a', { href: `#/hazard/${hz.id}`, class: 'row-link' }, hz.description) },
    unit ? { key: 'unit', title: t('led.unit'), cell: (hz) => { const u = units && units.get(hz.unit_id); return u ? h('a', { href: `#/unit/${hz.unit_id}` }, u.name) : ''; } } : null,
    community ? { key: 'community', title: t('led.community'), cell: (hz) => (communities && communities.get(hz.community_id)) || '' } : null,
    { key: 'category', title: t('hz.category'), cell: (hz) => label('category', hz.category) },
    { key: 'level', title: t('hz.level'), cell: (hz) => h('span', { class: ['tag', hz.level === 'major' && 'tag-major'] }, label('level', hz.level)) },
    { key: 'deadline', title: t('hz.deadline'), cls: 'nowrap', cell: (hz) => (hz.handling_type === 'on_the_spot' ? label('handling', 'on_the_spot') : hz.deadline || '') },
    { key: 'status', title: t('led.status'), cell: (hz) => h('span', { class: ['tag', `status-${hz.status}`] }, label('status', hz.status)) },
    { key: 'overdue', title: t('led.overdue'), cls: 'num', cell: (hz) => (hz.days_overdue ? h('span', { class: 'tag tag-overdue' }, t('led.days', { n: hz.days_overdue })) : '') },
  ];
  return cols.filter(Boolean);
}

function readState(params) {
  const state = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) || '']));
  state.status = state.status ? state.status.split(',').filter((s) => STATUSES.includes(s)) : [];
  return state;
}

function sameStatus(a, b) {
  return [...a].sort().join(',') === [...b].sort().join(',');
}

/** Which quick view the filters are, if any. */
function currentView(state) {
  const others = FILTERS.filter((k) => !['q', 'status', 'overdue', 'level', 'sort'].includes(k));
  if (others.some((k) => state[k])) return null;
  for (const [name, v] of Object.entries(VIEWS)) {
    if (sameStatus(state.status, v.status || []) && state.overdue === (v.overdue || '') && state.level === (v.level || '') && (state.sort || '') === (v.sort || '')) return name;
  }
  return null;
}

export async function ledgerView(root, ctx) {
  let communities; let campaigns; let allNames;
  try {
    [communities, campaigns, allNames] = await Promise.all([lookup.myCommunities(), lookup.campaigns(), lookup.communityNames()]);
  } catch (err) {
    if (ctx.current()) mount(root, h('p', { class: 'error', role: 'alert' }, t('err.load', { e: explain(err) })));
    return;
  }
  if (!ctx.current()) return;
  const state = readState(ctx.params);
  let pinnedUnit = null;
  if (state.unit_id) pinnedUnit = (await lookup.units([state.unit_id])).get(state.unit_id) || null;
  if (!ctx.current()) return;

  const pager = new Pager({
    id: 'ledger-list',
    unit: 'list.hazards',
    load: (cursor, count) => {
      const q = query(state, FILTERS);
      q.set('limit', '50');
      if (cursor) q.set('cursor', cursor);
      if (count) q.set('count', 'true');
      return api(`hazards?${q}`);
    },
    draw: async (items) => {
      const units = await lookup.units(items.map((hz) => hz.unit_id));
      return dataTable({
        id: 'ledger-table',
        empty: t('led.none'),
        rows: items,
        rowAttrs: (hz) => ({ dataset: { hazardId: hz.id, status: hz.status, overdue: hz.days_overdue ? String(hz.days_overdue) : '' } }),
        columns: hazardColumns({ units, communities: allNames }),
      });
    },
  });

  const box = h('div', { class: 'stack page-wide', id: 'ledger' });
  const render = () => {
    const changed = () => {
      keepInAddress('ledger', query(state, FILTERS));
      const focus = document.activeElement;
      const at = focus && box.contains(focus) ? (focus.id ? `#${focus.id}` : focus.name ? `[name="${focus.name}"]${focus.type === 'checkbox' ? `[value="${focus.value}"]` : ''}` : null) : null;
      render();
      if (at) box.querySelector(at)?.focus();
      pager.reset();
    };
    const set = (key) => (v) => { state[key] = v; changed(); };
    const search = h('input', { type: 'search', name: 'q', value: state.q, placeholder: t('led.search'), autocomplete: 'off', enterkeyhint: 'search', 'aria-label': t('led.searchLabel') });
    search.addEventListener('input', debounce(() => {
      if (search.value.trim() === state.q) return;
      state.q = search.value.trim();
      keepInAddress('ledger', query(state, FILTERS));
      pager.reset();
    }));
    const view = currentView(state);
    const chips = h('div', { class: 'chips views', role: 'group', 'aria-label': t('led.views') },
      ...Object.entries(VIEWS).map(([name, v]) => h('button', {
        type: 'button',
        class: ['chip', view === name && 'chip-on'],
        id: `view-${name}`,
        'aria-pressed': view === name ? 'true' : 'false',
        onclick: () => {
          for (const k of FILTERS) if (k !== 'q') state[k] = k === 'status' ? [] : '';
          Object.assign(state, { ...v, status: [...(v.status || [])] });
          changed();
        },
      }, t(`led.view.${name}`))));
    const statusBox = h('fieldset', { class: 'field filter status-filter' },
      h('legend', { class: 'field-title' }, t('led.status')),
      h('div', { class: 'checks' }, ...STATUSES.map((s) => h('label', { class: 'check' },
        h('input', {
          type: 'checkbox',
          name: 'status',
          value: s,
          checked: state.status.includes(s),
          onchange: (e) => {
            state.status = e.target.checked ? [...state.status, s] : state.status.filter((x) => x !== s);
            state.status = STATUSES.filter((x) => state.status.includes(x));
            changed();
          },
        }),
        h('span', {}, label('status', s))))));
    const date = (key, titleKey) => h('label', { class: 'field filter' }, h('span', { class: 'field-title' }, t(titleKey)),
      h('input', { type: 'date', name: key, value: state[key], onchange: (e) => set(key)(e.target.value) }));
    const pinned = [];
    if (state.unit_id) {
      pinned.push(h('span', { class: 'pin', id: 'pin-unit' }, t('led.pinUnit', { n: pinnedUnit ? pinnedUnit.name : '' }),
        h('button', { type: 'button', class: 'btn-icon pin-x', 'aria-label': t('led.unpin'), title: t('led.unpin'), onclick: () => set('unit_id')('') }, '×')));
    }
    if (state.inspection_id) {
      pinned.push(h('span', { class: 'pin', id: 'pin-inspection' }, t('led.pinInspection'),
        h('button', { type: 'button', class: 'btn-icon pin-x', 'aria-label': t('led.unpin'), title: t('led.unpin'), onclick: () => set('inspection_id')('') }, '×')));
    }
    const active = FILTERS.filter((k) => !['q', 'sort'].includes(k) && (Array.isArray(state[k]) ? state[k].length : state[k])).length;
    const wide = window.matchMedia('(min-width: 1024px)').matches;
    mount(box,
      h('div', { class: 'toolbar' }, h('h1', {}, t('led.title'))),
      chips,
      h('form', { class: 'filters-form', role: 'search', onsubmit: (e) => { e.preventDefault(); state.q = search.value.trim(); changed(); } },
        h('div', { class: 'search-row' }, h('span', { class: 'search-icon', 'aria-hidden': 'true' }, icon('search')), search),
        pinned.length ? h('div', { class: 'pins' }, ...pinned) : null,
        h('details', { class: 'filters', id: 'ledger-filters', open: wide || box.dataset.filtersOpen === 'true' },
          h('summary', { class: 'btn btn-link', onclick: (e) => { box.dataset.filtersOpen = String(!e.currentTarget.parentElement.open); } }, t('list.filters'), active ? ` (${active})` : ''),
          h('div', { class: 'filter-grid' },
            statusBox,
            selectField({ name: 'overdue', title: t('led.overdueFilter'), value: state.overdue, choices: [['true', t('led.onlyOverdue')], ['false', t('led.notOverdue')]], onchange: set('overdue') }),
            selectField({ name: 'community_id', title: t('led.community'), value: state.community_id, choices: communities.map((c) => [c.id, c.name]), onchange: set('community_id') }),
            selectField({ name: 'unit_kind', title: t('led.unitKind'), value: state.unit_kind, choices: options('unitKind').map((k) => [k, label('unitKind', k)]), onchange: set('unit_kind') }),
            selectField({ name: 'category', title: t('hz.category'), value: state.category, choices: options('category').map((k) => [k, label('category', k)]), onchange: set('category') }),
            selectField({ name: 'level', title: t('hz.level'), value: state.level, choices: options('level').map((k) => [k, label('level', k)]), onchange: set('level') }),
            selectField({ name: 'handling_type', title: t('hz.handling'), value: state.handling_type, choices: options('handling').map((k) => [k, label('handling', k)]), onchange: set('handling_type') }),
            selectField({ name: 'campaign_id', title: t('insp.campaign'), value: state.campaign_id, choices: campaigns.map((c) => [c.id, c.name]), onchange: set('campaign_id') }),
            date('found_from', 'led.foundFrom'),
            date('found_to', 'led.foundTo'),
            selectField({ name: 'sort', title: t('led.sort'), value: state.sort, all: null, choices: ['found_at_desc', 'deadline_asc', 'waiting_longest'].map((k) => [k === 'found_at_desc' ? '' : k, t(`led.sort.${k}`)]), onchange: set('sort') }),
            h('div', { class: 'filter-actions' },
              h('button', { type: 'button', class: 'btn btn-link', id: 'clear-filters', onclick: () => { for (const k of FILTERS) state[k] = k === 'status' ? [] : ''; changed(); } }, t('list.clear')))))),
      h('div', { class: 'list-head' }, exportButtons({ base: 'hazards', query: () => query(state, FILTERS), id: 'ledger-export' })),
      pager.box);
  };
  render();
  mount(root, box);
  await pager.reset();
}
