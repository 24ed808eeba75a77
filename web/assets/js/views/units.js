// The registry (单位): the list with its search and filters, a unit's file (单位档案: its
// details, status and history, every inspection and hazard, enforcement outcomes), the
// form that creates or edits a unit, and the import (views/import.js).

import { t, label, options, when } from '../i18n.js';
import { h, mount, toast, icon } from '../dom.js';
import * as session from '../session.js';
import { api, listAll } from '../api.js';
import * as lookup from '../lookup.js';
import { Pager, dataTable, query, keepInAddress, selectField, debounce, facts, exportButtons } from '../lists.js';
import { explain, fieldErrors, fieldSentence, fieldName } from '../problems.js';
import { importView } from './import.js';
import { hazardColumns } from './ledger.js';
import '../i18n-office.js';

const FILTERS = ['q', 'community_id', 'kind', 'status'];

/** Supervisors and admins write units (in their scope). */
export function canManageUnits() {
  return ['supervisor', 'admin'].includes(session.role());
}

function statusTag(status, id) {
  return h('span', { class: ['tag', `unit-${status}`], id }, label('unitStatus', status));
}

function failed(root, err, back = '#/units') {
  mount(root, h('div', { class: 'stack' },
    h('p', { class: 'error', role: 'alert' }, t('err.load', { e: explain(err) })),
    h('a', { href: back, class: 'btn btn-secondary' }, icon('back'), t('common.back'))));
}

export async function unitsView(root, ctx) {
  if (ctx.args[0] === 'new') return unitForm(root, ctx, null);
  if (ctx.args[0] === 'import') return importView(root, ctx, 'units');
  let communities;
  try {
    communities = await lookup.myCommunities();
  } catch (err) {
    if (ctx.current()) failed(root, err, '#/');
    return;
  }
  if (!ctx.current()) return;
  const names = new Map(communities.map((c) => [c.id, c.name]));
  const allNames = await lookup.communityNames().catch(() => names);
  const state = Object.fromEntries(FILTERS.map((k) => [k, ctx.params.get(k) || '']));
  const pager = new Pager({
    id: 'unit-list',
    unit: 'list.units',
    load: (cursor, count) => {
      const q = query(state, FILTERS);
      q.set('limit', '50');
      if (cursor) q.set('cursor', cursor);
      if (count) q.set('count', 'true');
      return api(`units?${q}`);
    },
    draw: (items) => {
      items.forEach(lookup.rememberUnit);
      return dataTable({
        id: 'units-table',
        empty: t('units.none'),
        rows: items,
        rowAttrs: (u) => ({ dataset: { unitId: u.id } }),
        columns: [
          { key: 'name', title: t('unit.name'), primary: true, cell: (u) => h('a', { href: `#/unit/${u.id}`, class: 'row-link' }, u.name) },
          { key: 'community', title: t('unit.community'), cell: (u) => allNames.get(u.community_id) || '' },
          { key: 'kind', title: t('unit.kind'), cell: (u) => label('unitKind', u.kind) },
          { key: 'address', title: t('unit.address'), cell: (u) => u.address },
          { key: 'status', title: t('unit.status'), cell: (u) => statusTag(u.status) },
          { key: 'contact', title: t('unit.contact'), cell: (u) => [u.contact_name, u.contact_phone].filter(Boolean).join(' ') },
          { key: 'credit', title: t('unit.creditCode'), cls: 'mono', cell: (u) => u.credit_code || '' },
        ],
      });
    },
  });
  const changed = () => {
    keepInAddress('units', query(state, FILTERS));
    pager.reset();
  };
  const search = h('input', { type: 'search', name: 'q', value: state.q, placeholder: t('units.search'), autocomplete: 'off', enterkeyhint: 'search', 'aria-label': t('units.searchLabel') });
  const typed = debounce(() => { if (search.value.trim() !== state.q) { state.q = search.value.trim(); changed(); } });
  search.addEventListener('input', typed);
  const set = (key) => (v) => { state[key] = v; changed(); };
  const filterCount = FILTERS.filter((k) => k !== 'q' && state[k]).length;
  const wide = window.matchMedia('(min-width: 1024px)').matches;
  const manage = canManageUnits();
  mount(root, h('div', { class: 'stack page-wide', id: 'units' },
    h('div', { class: 'toolbar' },
      h('h1', {}, t('units.title')),
      manage ? h('div', { class: 'row' },
        h('a', { href: '#/units/new', class: 'btn btn-primary', id: 'unit-new' }, icon('plus'), t('units.new')),
        h('a', { href: '#/units/import', class: 'btn btn-secondary', id: 'unit-import' }, icon('upload'), t('units.import'))) : null),
    h('form', { class: 'filters-form', role: 'search', onsubmit: (e) => { e.preventDefault(); state.q = search.value.trim(); changed(); } },
      h('div', { class: 'search-row' }, h('span', { class: 'search-icon', 'aria-hidden': 'true' }, icon('search')), search),
      h('details', { class: 'filters', open: wide || filterCount > 0 },
        h('summary', { class: 'btn btn-link' }, t('list.filters'), filterCount ? ` (${filterCount})` : ''),
        h('div', { class: 'filter-grid' },
          selectField({ name: 'community_id', title: t('unit.community'), value: state.community_id, choices: communities.map((c) => [c.id, c.name]), onchange: set('community_id') }),
          selectField({ name: 'kind', title: t('unit.kind'), value: state.kind, choices: options('unitKind').map((k) => [k, label('unitKind', k)]), onchange: set('kind') }),
          selectField({ name: 'status', title: t('unit.status'), value: state.status, choices: options('unitStatus').map((k) => [k, label('unitStatus', k)]), onchange: set('status') })))),
    h('div', { class: 'list-head' }, exportButtons({ base: 'units', query: () => query(state, FILTERS), id: 'units-export' })),
    pager.box));
  await pager.reset();
}

// ---------------------------------------------------------------------------------------
// A unit's file

const EVENT_FIELDS = ['community_id', 'name', 'kind', 'address', 'credit_code', 'contact_name', 'contact_phone', 'latitude', 'longitude'];

function changeLines(changes, communityNames) {
  const show = (field, v) => {
    if (v === null || v === undefined || v === '') return t('unit.blank');
    if (field === 'community_id') return communityNames.get(v) || t('unit.otherCommunity');
    if (field === 'kind') return label('unitKind', v);
    return String(v);
  };
  return Object.entries(changes || {})
    .filter(([field, pair]) => EVENT_FIELDS.includes(field) && Array.isArray(pair))
    .map(([field, [from, to]]) => h('div', { class: 'small' }, `${fieldName(field)}：${show(field, from)} → ${show(field, to)}`));
}

function eventItem(ev, communityNames) {
  const d = ev.details || {};
  const changes = ev.kind === 'imported' ? d.changes : ev.kind === 'updated' ? d : null;
  const text = t(`uev.${ev.kind}`);
  return h('li', { dataset: { kind: ev.kind } },
    h('span', { class: 'muted small' }, when(ev.at)), ' ',
    h('strong', {}, text === `uev.${ev.kind}` ? t('uev.other') : text), ev.actor ? ` · ${ev.actor}` : '',
    ev.from_status && ev.to_status && ev.from_status !== ev.to_status ? ` · ${label('unitStatus', ev.from_status)} → ${label('unitStatus', ev.to_status)}` : '',
    ev.reason ? h('div', { class: 'small' }, ev.reason) : null,
    d.import_id ? h('div', { class: 'small muted' }, t('unit.byImport')) : null,
    ...(changes ? changeLines(changes, communityNames) : []));
}

function count(n, key, cls) {
  return h('div', { class: ['stat', cls], dataset: { stat: key } }, h('span', { class: 'stat-value' }, String(n)), h('span', { class: 'stat-label' }, t(key)));
}

export async function unitView(root, ctx) {
  const id = ctx.args[0];
  if (ctx.args[1] === 'edit') return unitForm(root, ctx, id);
  let unit; let hazards; let inspections; let communityNames; let campaigns; let actions;
  try {
    unit = await api(`units/${id}`);
    [hazards, inspections, communityNames, campaigns, actions] = await Promise.all([
      listAll(`hazards?unit_id=${id}`, 10000),
      listAll(`inspections?unit_id=${id}`, 10000),
      lookup.communityNames(),
      lookup.campaigns(),
      listAll(`enforcement-actions?community_id=${unit.community_id}`, 10000),
    ]);
  } catch (err) {
    if (ctx.current()) failed(root, err);
    return;
  }
  if (!ctx.current()) return;
  lookup.rememberUnit(unit);
  const campaignNames = new Map(campaigns.map((c) => [c.id, c.name]));
  const outcomes = actions.flatMap((a) => a.outcomes.filter((o) => o.unit_id === id).map((o) => ({ action: a, outcome: o })))
    .sort((a, b) => (a.action.held_on < b.action.held_on ? 1 : -1));
  const byInspection = new Map();
  for (const hz of hazards) {
    if (!byInspection.has(hz.inspection_id)) byInspection.set(hz.inspection_id, []);
    byInspection.get(hz.inspection_id).push(hz);
  }
  const open = hazards.filter((hz) => hz.status === 'open' || hz.status === 'pending_verification').length;
  const overdue = hazards.filter((hz) => hz.days_overdue).length;
  const closed = hazards.filter((hz) => hz.status === 'closed').length;
  const manage = canManageUnits();

  const reinstate = unit.status === 'suspended' && manage ? reinstateBox(unit, ctx) : null;
  const coords = unit.latitude !== null && unit.longitude !== null ? `${unit.latitude}, ${unit.longitude}` : null;
  mount(root, h('div', { class: 'stack page-wide', id: 'unit-page', dataset: { unitId: unit.id, status: unit.status } },
    h('a', { href: '#/units', class: 'btn btn-link' }, icon('back'), t('units.back')),
    h('div', { class: 'toolbar' },
      h('div', {},
        h('h1', { id: 'unit-name' }, unit.name),
        h('div', { class: 'tags' }, statusTag(unit.status, 'unit-status'), h('span', { class: 'tag' }, label('unitKind', unit.kind)), h('span', { class: 'tag' }, communityNames.get(unit.community_id) || ''))),
      h('div', { class: 'row' },
        manage ? h('a', { href: `#/unit/${unit.id}/edit`, class: 'btn btn-secondary', id: 'unit-edit' }, icon('edit'), t('unit.edit')) : null,
        h('a', { href: `#/ledger?unit_id=${unit.id}`, class: 'btn btn-secondary', id: 'unit-ledger' }, icon('ledger'), t('unit.inLedger')))),
    h('div', { class: 'file-grid' },
      h('div', { class: 'stack' },
        h('section', { class: 'card', id: 'unit-details' },
          h('h2', {}, t('unit.details')),
          facts([
            [t('unit.community'), communityNames.get(unit.community_id) || '', 'community'],
            [t('unit.kind'), label('unitKind', unit.kind), 'kind'],
            [t('unit.address'), unit.address, 'address'],
            [t('unit.creditCode'), unit.credit_code, 'credit_code'],
            [t('unit.contactName'), unit.contact_name, 'contact_name'],
            [t('unit.contactPhone'), unit.contact_phone, 'contact_phone'],
            [t('unit.coords'), coords, 'coords'],
            [t('unit.registered'), when(unit.created_at), 'created_at'],
          ])),
        h('section', { class: 'card', id: 'unit-history' },
          h('h2', {}, t('unit.statusHistory')),
          h('p', {}, t('unit.statusNow'), ' ', statusTag(unit.status)),
          reinstate,
          h('ol', { class: 'timeline', id: 'unit-events' }, ...[...(unit.events || [])].reverse().map((ev) => eventItem(ev, communityNames)))),
        h('section', { class: 'card', id: 'unit-enforcement' },
          h('h2', {}, t('unit.enforcement'), ` (${outcomes.length})`),
          outcomes.length === 0 ? h('p', { class: 'muted' }, t('unit.noEnforcement'))
            : h('ul', { class: 'list' }, ...outcomes.map(({ action, outcome }) => h('li', { class: 'enf', dataset: { actionId: action.id, measure: outcome.measure } },
              h('div', {}, h('strong', {}, label('measure', outcome.measure)), ' · ', action.held_on),
              h('div', { class: 'small' }, t('unit.lead', { d: label('department', action.lead_department) }), action.departments.length > 1 ? ` · ${t('unit.withDepts', { d: action.departments.filter((d) => d !== action.lead_department).map((d) => label('department', d)).join('、') })}` : ''),
              h('div', { class: 'small' }, t('unit.violations', { n: outcome.violations_found }), outcome.transferred_to ? ` · ${t('unit.transferredTo', { d: label('department', outcome.transferred_to) })}` : ''),
              outcome.violation_description ? h('div', { class: 'small' }, outcome.violation_description) : null,
              h('div', { class: 'small muted' }, action.summary)))))),
      h('div', { class: 'stack' },
        h('div', { class: 'stats', id: 'unit-stats' },
          count(inspections.length, 'unit.inspections'),
          count(hazards.length, 'unit.hazardsFound'),
          count(open, 'unit.hazardsOpen', open > 0 ? 'bad' : ''),
          count(overdue, 'unit.hazardsOverdue', overdue > 0 ? 'bad' : ''),
          count(closed, 'unit.hazardsClosed', 'good')),
        h('section', { class: 'card', id: 'unit-hazards' },
          h('h2', {}, t('unit.hazards'), ` (${hazards.length})`),
          dataTable({ id: 'unit-hazard-table', empty: t('unit.noHazards'), rows: hazards, rowAttrs: (hz) => ({ dataset: { hazardId: hz.id, status: hz.status } }), columns: hazardColumns({ unit: false, community: false }) })),
        h('section', { class: 'card', id: 'unit-inspections' },
          h('h2', {}, t('unit.inspectionList'), ` (${inspections.length})`),
          inspections.length === 0 ? h('p', { class: 'muted' }, t('unit.noInspections'))
            : h('ul', { class: 'list' }, ...inspections.map((insp) => {
              const found = byInspection.get(insp.id) || [];
              return h('li', { class: 'insp', dataset: { inspectionId: insp.id } },
                h('div', {}, h('strong', {}, when(insp.inspected_at)), insp.leader_led ? h('span', { class: 'tag tag-leader' }, t('insp.leaderLed')) : null),
                h('div', { class: 'small' }, t('unit.inspectors', { n: insp.inspectors.join('、') }), insp.campaign_id ? ` · ${campaignNames.get(insp.campaign_id) || ''}` : ''),
                h('div', { class: 'small' }, found.length === 0 ? t('unit.noneFound') : t('unit.found', { n: found.length, open: found.filter((hz) => hz.status === 'open' || hz.status === 'pending_verification').length })),
                insp.notes ? h('div', { class: 'small muted' }, insp.notes) : null);
            })))))));
}

function reinstateBox(unit, ctx) {
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 2000 });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'reinstate-submit' }, t('unit.reinstate'));
  return h('details', { class: 'reinstate' },
    h('summary', { class: 'btn btn-secondary', id: 'reinstate-open' }, t('unit.reinstate')),
    h('form', {
      class: 'stack',
      novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        error.hidden = true;
        if (!reason.value.trim()) {
          error.textContent = t('unit.reinstateReason');
          error.hidden = false;
          return;
        }
        submit.disabled = true;
        try {
          await api(`units/${unit.id}/reinstate`, { method: 'POST', json: { reason: reason.value.trim(), version: unit.version } });
          toast(t('unit.reinstated'), 'ok');
          ctx.refresh();
        } catch (err) {
          error.textContent = explain(err, { reason: t('unit.reason') });
          error.hidden = false;
          submit.disabled = false;
        }
      },
    },
    h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('unit.reason')), reason),
    error,
    submit));
}

// ---------------------------------------------------------------------------------------
// Create and edit

const FORM_FIELDS = [
  ['name', 'unit.name', { required: true, maxlength: 200 }],
  ['address', 'unit.address', { required: true, maxlength: 200 }],
  ['credit_code', 'unit.creditCode', { maxlength: 18, autocapitalize: 'characters', spellcheck: 'false', hint: 'unit.creditHint' }],
  ['contact_name', 'unit.contactName', { maxlength: 200 }],
  ['contact_phone', 'unit.contactPhone', { type: 'tel', maxlength: 20 }],
  ['latitude', 'unit.latitude', { inputmode: 'decimal' }],
  ['longitude', 'unit.longitude', { inputmode: 'decimal' }],
];

async function unitForm(root, ctx, id) {
  if (!canManageUnits()) {
    mount(root, h('div', { class: 'stack' }, h('p', { class: 'error' }, t('pr.forbidden')), h('a', { href: '#/units', class: 'btn btn-secondary' }, t('common.back'))));
    return;
  }
  let unit = null;
  let communities;
  try {
    [unit, communities] = await Promise.all([id ? api(`units/${id}`) : null, lookup.myCommunities()]);
  } catch (err) {
    if (ctx.current()) failed(root, err);
    return;
  }
  if (!ctx.current()) return;
  const value = (k) => (unit && unit[k] !== null && unit[k] !== undefined ? String(unit[k]) : '');
  const inputs = {};
  const slots = {};
  const fieldBox = (key, titleKey, control, { required = false, hint } = {}) => {
    slots[key] = h('span', { class: 'field-error' });
    return h('label', { class: 'field', dataset: { field: key } },
      h('span', { class: 'field-title' }, t(titleKey), ' ', required ? null : h('small', { class: 'muted' }, t('common.optional'))),
      control,
      hint ? h('span', { class: 'muted small' }, t(hint)) : null,
      slots[key]);
  };
  inputs.community_id = h('select', { name: 'community_id' },
    h('option', { value: '' }, t('unit.pickCommunity')),
    ...communities.map((c) => h('option', { value: c.id, selected: c.id === value('community_id') || (!unit && communities.length === 1) }, c.name)));
  inputs.kind = h('select', { name: 'kind' },
    h('option', { value: '' }, t('unit.pickKind')),
    ...options('unitKind').map((k) => h('option', { value: k, selected: k === value('kind') }, label('unitKind', k))));
  const boxes = [
    fieldBox('community_id', 'unit.community', inputs.community_id, { required: true }),
    fieldBox('kind', 'unit.kind', inputs.kind, { required: true }),
  ];
  for (const [key, titleKey, opts] of FORM_FIELDS) {
    const { required, hint, ...attrs } = opts;
    inputs[key] = h('input', { name: key, value: value(key), autocomplete: 'off', ...attrs });
    boxes.splice(key === 'name' ? 0 : boxes.length, 0, fieldBox(key, titleKey, inputs[key], { required, hint }));
  }
  const formError = h('p', { class: 'error', role: 'alert', id: 'unit-form-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'unit-save' }, id ? t('unit.save') : t('unit.create'));
  const names = Object.fromEntries(['community_id', 'kind', ...FORM_FIELDS.map(([k]) => k)].map((k) => [k, fieldName(k)]));

  const show = (errors) => {
    for (const [key, slot] of Object.entries(slots)) {
      slot.textContent = errors[key] || '';
      slot.parentElement.classList.toggle('invalid', Boolean(errors[key]));
    }
  };
  const check = () => {
    const errors = {};
    for (const key of ['name', 'address']) if (!inputs[key].value.trim()) errors[key] = t('pr.required', { f: names[key] });
    if (!inputs.community_id.value) errors.community_id = t('unit.pickCommunity');
    if (!inputs.kind.value) errors.kind = t('unit.pickKind');
    const code = inputs.credit_code.value.trim().toUpperCase();
    if (code && !/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) errors.credit_code = t('pr.creditCode');
    const lat = inputs.latitude.value.trim();
    const lng = inputs.longitude.value.trim();
    if (Boolean(lat) !== Boolean(lng)) errors[lat ? 'longitude' : 'latitude'] = t('pr.latLng');
    if (lat && !(Number(lat) >= -90 && Number(lat) <= 90)) errors.latitude = t('pr.latitude');
    if (lng && !(Number(lng) >= -180 && Number(lng) <= 180)) errors.longitude = t('pr.longitude');
    return errors;
  };
  const body = () => {
    const out = {};
    const text = (k) => inputs[k].value.trim();
    const num = (k) => (text(k) === '' ? null : Number(text(k)));
    const next = {
      community_id: inputs.community_id.value,
      kind: inputs.kind.value,
      name: text('name'),
      address: text('address'),
      credit_code: text('credit_code') ? text('credit_code').toUpperCase() : null,
      contact_name: text('contact_name') || null,
      contact_phone: text('contact_phone') || null,
      latitude: num('latitude'),
      longitude: num('longitude'),
    };
    if (!unit) {
      for (const [k, v] of Object.entries(next)) if (v !== null) out[k] = v;
      return out;
    }
    for (const [k, v] of Object.entries(next)) if ((unit[k] ?? null) !== v) out[k] = v;
    out.version = unit.version;
    return out;
  };
  const form = h('form', {
    class: 'card stack unit-form page-form office-form',
    id: 'unit-form',
    novalidate: true,
    oninput: (e) => {
      const box = e.target.closest('[data-field]');
      if (box && slots[box.dataset.field]) { slots[box.dataset.field].textContent = ''; box.classList.remove('invalid'); }
    },
    onsubmit: async (e) => {
      e.preventDefault();
      formError.hidden = true;
      const errors = check();
      show(errors);
      if (Object.keys(errors).length > 0) {
        form.querySelector('.invalid')?.scrollIntoView({ block: 'center' });
        return;
      }
      const payload = body();
      if (unit && Object.keys(payload).length === 1) {
        ctx.go(`#/unit/${unit.id}`);
        return;
      }
      submit.disabled = true;
      try {
        const saved = await api(unit ? `units/${unit.id}` : 'units', { method: unit ? 'PATCH' : 'POST', json: payload });
        lookup.forget('units');
        toast(unit ? t('unit.saved') : t('unit.created'), 'ok');
        ctx.go(`#/unit/${saved.id}`);
      } catch (err) {
        submit.disabled = false;
        const byField = {};
        const rest = [];
        for (const fe of fieldErrors(err)) {
          if (fe.field in slots) byField[fe.field] = fieldSentence(fe, names[fe.field]);
          else rest.push(fieldSentence(fe));
        }
        show(byField);
        if (rest.length || Object.keys(byField).length === 0) {
          formError.textContent = rest.length ? rest.join('；') : explain(err);
          formError.hidden = false;
        }
      }
    },
  },
  ...boxes,
  formError,
  h('div', { class: 'row' },
    submit,
    h('a', { href: unit ? `#/unit/${unit.id}` : '#/units', class: 'btn btn-secondary' }, t('common.cancel'))));
  mount(root, h('div', { class: 'stack', id: 'unit-form-page' },
    h('a', { href: unit ? `#/unit/${unit.id}` : '#/units', class: 'btn btn-link' }, icon('back'), t('common.back')),
    h('h1', {}, unit ? t('unit.editTitle', { n: unit.name }) : t('units.new')),
    form));
  inputs.name.focus();
}
