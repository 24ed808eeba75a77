// Administration (admins only): communities (and their import), campaigns, the common
// hazard phrases (隐患库: added, edited, retired — never deleted), and users —
// created with a role and a scope, their role and scope changed, deactivated and
// reactivated, a password reset (the user must change it at the next login), unlocked.

import { t, label, when, options } from '../i18n.js';
import { h, mount, toast, icon, localDate } from '../dom.js';
import * as session from '../session.js';
import { api, listAll } from '../api.js';
import * as lookup from '../lookup.js';
import { dataTable, facts } from '../lists.js';
import { explain, fieldErrors, fieldSentence, fieldName } from '../problems.js';
import { importView } from './import.js';
import '../i18n-office.js';

const SECTIONS = ['users', 'communities', 'campaigns', 'phrases'];
const ROLES = ['inspector', 'supervisor', 'viewer', 'admin'];
// Passwords just set, shown on the user's page until this page is reloaded (to hand over).
const handovers = new Map();

export async function adminView(root, ctx) {
  const [section = 'users', sub, more] = ctx.args;
  if (!SECTIONS.includes(section)) {
    ctx.go('#/admin/users');
    return;
  }
  const page = h('div', { class: 'stack page-wide', id: `admin-${section}` });
  const frame = h('div', { class: 'stack' },
    h('nav', { class: 'subnav', 'aria-label': t('adm.title') },
      ...SECTIONS.map((s) => h('a', { href: `#/admin/${s}`, id: `admin-tab-${s}`, class: ['subtab', s === section && 'active'], 'aria-current': s === section ? 'page' : null }, t(`adm.${s}`)))),
    page);
  if (section === 'communities' && sub === 'import') {
    mount(root, frame);
    return importView(page, ctx, 'communities');
  }
  mount(root, frame);
  if (section === 'communities') return communitiesSection(page, ctx);
  if (section === 'campaigns') return campaignsSection(page, ctx);
  if (section === 'phrases') return phrasesSection(page, ctx);
  if (sub === 'new') return userForm(page, ctx);
  if (sub) return userPage(page, ctx, sub, more);
  return usersSection(page, ctx);
}

// ---------------------------------------------------------------------------------------
// Shared: a small form whose fields come back with the server's sentences

/**
 * A form of `fields` ([{ key, title, control, required, hint }]) whose submit calls
 * `save(values)`; problems go under their fields, or above the buttons.
 */
function smallForm({ id, fields, submitText, save, cancel }) {
  const slots = {};
  const error = h('p', { class: 'error', role: 'alert', hidden: true, id: `${id}-error` });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: `${id}-save` }, submitText);
  const names = Object.fromEntries(fields.map((f) => [f.key, f.title]));
  const show = (errors) => {
    for (const [key, slot] of Object.entries(slots)) {
      slot.textContent = errors[key] || '';
      slot.closest('.field').classList.toggle('invalid', Boolean(errors[key]));
    }
  };
  const form = h('form', {
    class: 'stack office-form',
    id,
    novalidate: true,
    oninput: (e) => {
      const box = e.target.closest('[data-field]');
      if (box && slots[box.dataset.field]) { slots[box.dataset.field].textContent = ''; box.classList.remove('invalid'); }
    },
    onsubmit: async (e) => {
      e.preventDefault();
      error.hidden = true;
      const missing = {};
      for (const f of fields) {
        if (f.required && f.control.value !== undefined && !String(f.control.value).trim()) missing[f.key] = t('pr.required', { f: f.title });
        if (f.check) {
          const problem = f.check(f.control.value);
          if (problem) missing[f.key] = problem;
        }
      }
      show(missing);
      if (Object.keys(missing).length) return;
      submit.disabled = true;
      try {
        await save();
      } catch (err) {
        const byField = {};
        const rest = [];
        for (const fe of fieldErrors(err)) {
          const key = fe.field.replace(/\[\d+\]$/, '');
          if (key in slots) byField[key] = fieldSentence(fe, names[key]);
          else rest.push(fieldSentence(fe));
        }
        show(byField);
        if (rest.length || Object.keys(byField).length === 0) {
          error.textContent = rest.length ? rest.join('；') : explain(err, names);
          error.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    },
  },
  ...fields.map((f) => {
    slots[f.key] = h('span', { class: 'field-error' });
    return h(f.group ? 'div' : 'label', { class: 'field', dataset: { field: f.key } },
      h('span', { class: 'field-title' }, f.title, ' ', f.required || f.plain ? null : h('small', { class: 'muted' }, t('common.optional'))),
      f.control,
      f.hint ? h('span', { class: 'muted small' }, f.hint) : null,
      slots[f.key]);
  }),
  error,
  h('div', { class: 'row' }, submit, cancel || null));
  return form;
}

function loadFailed(root, err) {
  mount(root, h('p', { class: 'error', role: 'alert' }, t('err.load', { e: explain(err) })));
}

// ---------------------------------------------------------------------------------------
// Communities

async function communitiesSection(root, ctx) {
  let list;
  try {
    list = await lookup.communities({ fresh: true });
  } catch (err) {
    if (ctx.current()) loadFailed(root, err);
    return;
  }
  if (!ctx.current()) return;
  const editor = h('section', { class: 'card stack', id: 'community-editor' });
  const openEditor = (c) => {
    const name = h('input', { name: 'name', value: c ? c.name : '', maxlength: 200, autocomplete: 'off' });
    const code = h('input', { name: 'code', value: c ? c.code : '', maxlength: 32, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' });
    mount(editor,
      h('h2', {}, c ? t('adm.editCommunity', { n: c.name }) : t('adm.newCommunity')),
      smallForm({
        id: 'community-form',
        fields: [
          { key: 'name', title: t('field.name'), control: name, required: true },
          { key: 'code', title: t('field.code'), control: code, required: true, hint: t('adm.codeHint'), check: (v) => (/^[A-Za-z0-9_-]{1,32}$/.test(v.trim()) ? null : t('pr.code')) },
        ],
        submitText: c ? t('adm.save') : t('adm.create'),
        cancel: c ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => openEditor(null) }, t('common.cancel')) : null,
        save: async () => {
          const body = { name: name.value.trim(), code: code.value.trim() };
          if (c) await api(`communities/${c.id}`, { method: 'PATCH', json: { ...body, version: c.version } });
          else await api('communities', { method: 'POST', json: body });
          lookup.forget('communities');
          toast(c ? t('adm.saved') : t('adm.communityCreated', { n: body.name }), 'ok');
          ctx.refresh();
        },
      }));
    if (c) { editor.scrollIntoView({ block: 'start' }); name.focus(); }
  };
  openEditor(null);
  mount(root,
    h('div', { class: 'toolbar' },
      h('h1', {}, t('adm.communities')),
      h('a', { href: '#/admin/communities/import', class: 'btn btn-secondary', id: 'community-import' }, icon('upload'), t('adm.importCommunities'))),
    h('div', { class: 'admin-grid' },
      editor,
      h('section', { class: 'card stack' },
        h('h2', {}, t('adm.communityList', { n: list.length })),
        dataTable({
          id: 'community-table',
          rows: list,
          empty: t('adm.noCommunities'),
          rowAttrs: (c) => ({ dataset: { communityId: c.id } }),
          columns: [
            { key: 'name', title: t('field.name'), primary: true, cell: (c) => h('strong', {}, c.name) },
            { key: 'code', title: t('field.code'), cls: 'mono', cell: (c) => c.code },
            { key: 'created', title: t('adm.createdAt'), cell: (c) => when(c.created_at) },
            { key: 'actions', title: t('adm.actions'), cell: (c) => h('button', { type: 'button', class: 'btn btn-link', onclick: () => openEditor(c) }, icon('edit'), t('adm.edit')) },
          ],
        }))));
}

// ---------------------------------------------------------------------------------------
// Campaigns

function campaignState(c, today) {
  if (c.starts_on > today) return 'upcoming';
  if (c.ends_on < today) return 'ended';
  return 'running';
}

async function campaignsSection(root, ctx) {
  let list;
  try {
    list = await lookup.campaigns({ fresh: true });
  } catch (err) {
    if (ctx.current()) loadFailed(root, err);
    return;
  }
  if (!ctx.current()) return;
  const today = localDate();
  const editor = h('section', { class: 'card stack', id: 'campaign-editor' });
  const openEditor = (c) => {
    const name = h('input', { name: 'name', value: c ? c.name : '', maxlength: 200, autocomplete: 'off' });
    const starts = h('input', { type: 'date', name: 'starts_on', value: c ? c.starts_on : today });
    const ends = h('input', { type: 'date', name: 'ends_on', value: c ? c.ends_on : '' });
    const description = h('textarea', { name: 'description', rows: 3, maxlength: 2000 }, c && c.description ? c.description : '');
    mount(editor,
      h('h2', {}, c ? t('adm.editCampaign', { n: c.name }) : t('adm.newCampaign')),
      smallForm({
        id: 'campaign-form',
        fields: [
          { key: 'name', title: t('field.name'), control: name, required: true },
          { key: 'starts_on', title: t('field.starts_on'), control: starts, required: true },
          { key: 'ends_on', title: t('field.ends_on'), control: ends, required: true, check: (v) => (v && starts.value && v < starts.value ? t('pr.beforeStart') : null) },
          { key: 'description', title: t('field.description'), control: description },
        ],
        submitText: c ? t('adm.save') : t('adm.create'),
        cancel: c ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => openEditor(null) }, t('common.cancel')) : null,
        save: async () => {
          const body = { name: name.value.trim(), starts_on: starts.value, ends_on: ends.value };
          const desc = description.value.trim();
          if (c) {
            await api(`campaigns/${c.id}`, { method: 'PATCH', json: { ...body, description: desc || null, version: c.version } });
          } else {
            if (desc) body.description = desc;
            await api('campaigns', { method: 'POST', json: body });
          }
          lookup.forget('campaigns');
          toast(c ? t('adm.saved') : t('adm.campaignCreated', { n: body.name }), 'ok');
          ctx.refresh();
        },
      }));
    if (c) { editor.scrollIntoView({ block: 'start' }); name.focus(); }
  };
  openEditor(null);
  const sorted = [...list].sort((a, b) => (a.starts_on < b.starts_on ? 1 : a.starts_on > b.starts_on ? -1 : 0));
  mount(root,
    h('div', { class: 'toolbar' }, h('h1', {}, t('adm.campaigns'))),
    h('div', { class: 'admin-grid' },
      editor,
      h('section', { class: 'card stack' },
        h('h2', {}, t('adm.campaignList', { n: list.length })),
        dataTable({
          id: 'campaign-table',
          rows: sorted,
          empty: t('adm.noCampaigns'),
          rowAttrs: (c) => ({ dataset: { campaignId: c.id } }),
          columns: [
            { key: 'name', title: t('field.name'), primary: true, cls: 'wrap', cell: (c) => h('strong', {}, c.name) },
            { key: 'dates', title: t('adm.dates'), cls: 'nowrap', cell: (c) => `${c.starts_on} ~ ${c.ends_on}` },
            { key: 'state', title: t('adm.state'), cell: (c) => { const s = campaignState(c, today); return h('span', { class: ['tag', `camp-${s}`] }, t(`adm.camp.${s}`)); } },
            { key: 'description', title: t('field.description'), cls: 'wrap', cell: (c) => c.description || '' },
            { key: 'actions', title: t('adm.actions'), cell: (c) => h('button', { type: 'button', class: 'btn btn-link', onclick: () => openEditor(c) }, icon('edit'), t('adm.edit')) },
          ],
        }))));
}

// ---------------------------------------------------------------------------------------
// Hazard phrases (隐患库)

async function phrasesSection(root, ctx) {
  let list;
  try {
    list = await listAll('hazard-phrases', 10000);
  } catch (err) {
    if (ctx.current()) loadFailed(root, err);
    return;
  }
  if (!ctx.current()) return;
  const editor = h('section', { class: 'card stack', id: 'phrase-editor' });
  let shownCategory = ctx.params.get('category') || '';
  const openEditor = (p) => {
    const category = h('select', { name: 'category' },
      h('option', { value: '' }, t('hz.categoryPick')),
      ...options('category').map((c) => h('option', { value: c, selected: p ? p.category === c : c === shownCategory }, label('category', c))));
    const text = h('textarea', { name: 'text', rows: 3, maxlength: 2000 }, p ? p.text : '');
    const basis = h('textarea', { name: 'legal_basis', rows: 2, maxlength: 2000 }, p && p.legal_basis ? p.legal_basis : '');
    const active = h('input', { type: 'checkbox', name: 'active', checked: p ? p.active : true });
    mount(editor,
      h('h2', {}, p ? t('adm.editPhrase') : t('adm.newPhrase')),
      smallForm({
        id: 'phrase-form',
        fields: [
          { key: 'category', title: t('hz.category'), control: category, required: true },
          { key: 'text', title: t('adm.phraseText'), control: text, required: true },
          { key: 'legal_basis', title: t('hz.legalBasis'), control: basis },
          { key: 'active', title: t('adm.phraseActive'), control: h('span', { class: 'check' }, active, h('span', {}, t('adm.phraseActiveHint'))), plain: true, group: true },
        ],
        submitText: p ? t('adm.save') : t('adm.create'),
        cancel: p ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => openEditor(null) }, t('common.cancel')) : null,
        save: async () => {
          const body = { category: category.value, text: text.value.trim(), active: active.checked };
          const b = basis.value.trim();
          if (p) {
            await api(`hazard-phrases/${p.id}`, { method: 'PATCH', json: { ...body, legal_basis: b || null, version: p.version } });
          } else {
            if (b) body.legal_basis = b;
            await api('hazard-phrases', { method: 'POST', json: body });
          }
          toast(p ? t('adm.saved') : t('adm.phraseCreated'), 'ok');
          ctx.refresh();
        },
      }));
    if (p) { editor.scrollIntoView({ block: 'start' }); text.focus(); }
  };
  openEditor(null);
  const tableBox = h('div', {});
  const drawTable = () => {
    const order = options('category');
    const rows = list.filter((p) => !shownCategory || p.category === shownCategory)
      .map((p, i) => [p, i]).sort((a, b) => order.indexOf(a[0].category) - order.indexOf(b[0].category) || a[1] - b[1]).map(([p]) => p);
    mount(tableBox, dataTable({
      id: 'phrase-table',
      rows,
      empty: t('hz.phrasesNone'),
      rowAttrs: (p) => ({ dataset: { phraseId: p.id, active: String(p.active) } }),
      columns: [
        { key: 'category', title: t('hz.category'), cls: 'nowrap', cell: (p) => label('category', p.category) },
        { key: 'text', title: t('adm.phraseText'), primary: true, cls: 'wrap', cell: (p) => h('strong', {}, p.text) },
        { key: 'legal_basis', title: t('hz.legalBasis'), cls: 'wrap', cell: (p) => p.legal_basis || '' },
        { key: 'active', title: t('adm.state'), cell: (p) => h('span', { class: ['tag', p.active ? 'camp-running' : 'camp-ended'] }, p.active ? t('adm.phraseOn') : t('adm.phraseOff')) },
        { key: 'actions', title: t('adm.actions'), cell: (p) => h('button', { type: 'button', class: 'btn btn-link', onclick: () => openEditor(p) }, icon('edit'), t('adm.edit')) },
      ],
    }));
  };
  const filter = h('select', { name: 'phrase-category', onchange: (e) => { shownCategory = e.target.value; drawTable(); } },
    h('option', { value: '' }, t('list.all')),
    ...options('category').map((c) => h('option', { value: c, selected: c === shownCategory }, `${label('category', c)}（${list.filter((p) => p.category === c && p.active).length}）`)));
  drawTable();
  mount(root,
    h('div', { class: 'toolbar' }, h('h1', {}, t('adm.phrases'))),
    h('p', { class: 'muted' }, t('adm.phrasesHint')),
    h('div', { class: 'admin-grid' },
      editor,
      h('section', { class: 'card stack' },
        h('h2', {}, t('adm.phraseList', { n: list.length })),
        h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('hz.category')), filter),
        tableBox)));
}

// ---------------------------------------------------------------------------------------
// Users

function scopeText(user, names) {
  if (!Array.isArray(user.community_ids)) return t('adm.allCommunities');
  if (user.community_ids.length === 0) return t('adm.noCommunity');
  return user.community_ids.map((id) => names.get(id) || t('unit.otherCommunity')).join('、');
}

function userState(u) {
  return h('span', { class: 'tags' },
    h('span', { class: ['tag', u.active ? 'user-active' : 'user-inactive'] }, u.active ? t('adm.active') : t('adm.inactive')),
    u.active && u.must_change_password ? h('span', { class: 'tag tag-waiting' }, t('adm.mustChange')) : null);
}

async function usersSection(root, ctx) {
  let users; let names;
  try {
    [users, names] = await Promise.all([listAll('users', 10000), lookup.communityNames()]);
  } catch (err) {
    if (ctx.current()) loadFailed(root, err);
    return;
  }
  if (!ctx.current()) return;
  const role = ctx.params.get('role') || '';
  const active = ctx.params.get('active') || 'true';
  const shown = users
    .filter((u) => !role || u.role === role)
    .filter((u) => active === 'all' || String(u.active) === active)
    .sort((a, b) => a.username.localeCompare(b.username));
  const go = (r, a) => ctx.go(`#/admin/users?${new URLSearchParams({ ...(r ? { role: r } : {}), active: a })}`);
  mount(root,
    h('div', { class: 'toolbar' },
      h('h1', {}, t('adm.users')),
      h('a', { href: '#/admin/users/new', class: 'btn btn-primary', id: 'user-new' }, icon('plus'), t('adm.newUser'))),
    h('div', { class: 'filter-grid' },
      h('label', { class: 'field filter' }, h('span', { class: 'field-title' }, t('field.role')),
        h('select', { name: 'role', onchange: (e) => go(e.target.value, active) },
          h('option', { value: '' }, t('list.all')),
          ...ROLES.map((r) => h('option', { value: r, selected: r === role }, label('role', r))))),
      h('label', { class: 'field filter' }, h('span', { class: 'field-title' }, t('adm.state')),
        h('select', { name: 'active', onchange: (e) => go(role, e.target.value) },
          ...[['true', t('adm.active')], ['false', t('adm.inactive')], ['all', t('list.all')]].map(([v, text]) => h('option', { value: v, selected: v === active }, text))))),
    h('p', { class: 'list-summary' }, t('list.total', { n: shown.length, unit: t('list.users') })),
    dataTable({
      id: 'user-table',
      rows: shown,
      empty: t('adm.noUsers'),
      rowAttrs: (u) => ({ dataset: { userId: u.id, username: u.username } }),
      columns: [
        { key: 'username', title: t('field.username'), primary: true, cell: (u) => h('a', { href: `#/admin/users/${u.id}`, class: 'row-link' }, u.display_name ? `${u.display_name}（${u.username}）` : u.username) },
        { key: 'role', title: t('field.role'), cell: (u) => label('role', u.role) },
        { key: 'scope', title: t('adm.scope'), cls: 'wrap', cell: (u) => scopeText(u, names) },
        { key: 'state', title: t('adm.state'), cell: userState },
      ],
    }));
}

/** A random password a person can read out: 14 characters without look-alikes. */
function randomPassword() {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(14));
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 9)}-${chars.slice(9)}`;
}

function passwordCheck(usernameOf) {
  return (v) => {
    const p = String(v || '');
    if ([...p].length < 10) return t('adm.pwShort');
    if ([...p].length > 200) return t('pw.tooLong');
    const u = usernameOf().trim().toLowerCase();
    if (u && p.toLowerCase().includes(u)) return t('adm.pwHasUsername');
    return null;
  };
}

/** A password box with a "generate" button; the value is shown, since it is to be handed over. */
function passwordBox(name) {
  const input = h('input', { name, type: 'text', autocomplete: 'new-password', spellcheck: 'false', maxlength: 200 });
  const box = h('div', { class: 'with-button' }, input,
    h('button', { type: 'button', class: 'btn btn-secondary', id: `${name}-generate`, onclick: () => { input.value = randomPassword(); input.dispatchEvent(new Event('input')); } }, t('adm.generate')));
  Object.defineProperty(box, 'value', { get: () => input.value });
  return { box, input };
}

/** Role and scope controls: the scope is all communities or a chosen few. */
function roleScope(user, communities) {
  const role = h('select', { name: 'role' }, ...ROLES.map((r) => h('option', { value: r, selected: user ? r === user.role : r === 'inspector' }, label('role', r))));
  const roleHint = h('span', { class: 'muted small', id: 'role-hint' });
  const setHint = () => { roleHint.textContent = t(`adm.roleHint.${role.value}`); };
  role.addEventListener('change', setHint);
  setHint();
  const some = Array.isArray(user?.community_ids);
  const chosen = new Set(some ? user.community_ids : []);
  const allRadio = h('input', { type: 'radio', name: 'scope', value: 'all', checked: user ? !some : false });
  const someRadio = h('input', { type: 'radio', name: 'scope', value: 'some', checked: user ? some : true });
  const checks = h('div', { class: 'checks scope-list', id: 'scope-communities' },
    ...communities.map((c) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'community', value: c.id, checked: chosen.has(c.id) }),
      h('span', {}, c.name))));
  const sync = () => {
    checks.hidden = !someRadio.checked;
  };
  allRadio.addEventListener('change', sync);
  someRadio.addEventListener('change', sync);
  sync();
  const scope = h('div', { class: 'stack' },
    h('div', { class: 'segmented', role: 'radiogroup' },
      h('label', { class: 'seg' }, allRadio, h('span', {}, t('adm.allCommunities'))),
      h('label', { class: 'seg' }, someRadio, h('span', {}, t('adm.someCommunities')))),
    checks);
  const value = () => (allRadio.checked ? null : [...checks.querySelectorAll('input:checked')].map((i) => i.value));
  Object.defineProperty(scope, 'value', { get: () => (allRadio.checked || value().length ? 'ok' : '') });
  return { role, roleHint, scope, scopeValue: value };
}

async function userForm(root, ctx) {
  let communities;
  try {
    communities = await lookup.communities({ fresh: true });
  } catch (err) {
    if (ctx.current()) loadFailed(root, err);
    return;
  }
  if (!ctx.current()) return;
  const username = h('input', { name: 'username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: 64 });
  const displayName = h('input', { name: 'display_name', autocomplete: 'off', maxlength: 200 });
  const { box: pwBox, input: password } = passwordBox('password');
  password.value = randomPassword();
  const mustChange = h('input', { type: 'checkbox', name: 'must_change_password', checked: true });
  const { role, roleHint, scope, scopeValue } = roleScope(null, communities);
  const roleField = h('div', { class: 'stack tight' }, role, roleHint);
  Object.defineProperty(roleField, 'value', { get: () => role.value });
  mount(root,
    h('a', { href: '#/admin/users', class: 'btn btn-link' }, icon('back'), t('adm.users')),
    h('h1', {}, t('adm.newUser')),
    h('section', { class: 'card page-form' },
      smallForm({
        id: 'user-form',
        fields: [
          { key: 'username', title: t('field.username'), control: username, required: true, hint: t('adm.usernameHint'), check: (v) => (/^[a-z0-9_.-]{2,64}$/.test(v.trim().toLowerCase()) ? null : t('pr.username')) },
          { key: 'display_name', title: t('field.display_name'), control: displayName },
          { key: 'role', title: t('field.role'), control: roleField, group: true, required: true },
          { key: 'community_ids', title: t('adm.scope'), control: scope, group: true, required: true, check: () => (scopeValue() === null || scopeValue().length ? null : t('adm.pickScope')) },
          { key: 'password', title: t('adm.initialPassword'), control: pwBox, group: true, required: true, hint: t('adm.passwordHint'), check: passwordCheck(() => username.value) },
          { key: 'must_change_password', title: t('adm.firstLogin'), control: h('label', { class: 'toggle' }, mustChange, h('span', {}, t('adm.mustChangeLabel'))), group: true, plain: true },
        ],
        submitText: t('adm.createUser'),
        cancel: h('a', { href: '#/admin/users', class: 'btn btn-secondary' }, t('common.cancel')),
        save: async () => {
          const body = { username: username.value.trim().toLowerCase(), password: password.value, role: role.value, community_ids: scopeValue(), must_change_password: mustChange.checked };
          if (displayName.value.trim()) body.display_name = displayName.value.trim();
          const user = await api('users', { method: 'POST', json: body });
          handovers.set(user.id, password.value);
          toast(t('adm.userCreated', { n: user.username }), 'ok');
          ctx.go(`#/admin/users/${user.id}`);
        },
      })));
  username.focus();
}

async function userPage(root, ctx, id) {
  let user; let communities; let names;
  try {
    [user, communities, names] = await Promise.all([api(`users/${id}`), lookup.communities({ fresh: true }), lookup.communityNames()]);
  } catch (err) {
    if (ctx.current()) loadFailed(root, err);
    return;
  }
  if (!ctx.current()) return;
  const self = session.user()?.id === user.id;
  const handover = handovers.get(user.id);
  const patch = async (json) => api(`users/${user.id}`, { method: 'PATCH', json: { ...json, version: user.version } });

  // Role, scope and name.
  const displayName = h('input', { name: 'display_name', value: user.display_name || '', maxlength: 200, autocomplete: 'off' });
  const { role, roleHint, scope, scopeValue } = roleScope(user, communities);
  const roleField = h('div', { class: 'stack tight' }, role, roleHint);
  Object.defineProperty(roleField, 'value', { get: () => role.value });
  const editForm = smallForm({
    id: 'user-edit',
    fields: [
      { key: 'display_name', title: t('field.display_name'), control: displayName },
      { key: 'role', title: t('field.role'), control: roleField, group: true, required: true },
      { key: 'community_ids', title: t('adm.scope'), control: scope, group: true, required: true, check: () => (scopeValue() === null || scopeValue().length ? null : t('adm.pickScope')) },
    ],
    submitText: t('adm.save'),
    save: async () => {
      const body = {};
      const dn = displayName.value.trim() || null;
      if (dn !== (user.display_name || null)) body.display_name = dn;
      if (role.value !== user.role) body.role = role.value;
      const sv = scopeValue();
      const before = Array.isArray(user.community_ids) ? [...user.community_ids].sort().join(',') : null;
      const after = Array.isArray(sv) ? [...sv].sort().join(',') : null;
      if (before !== after) body.community_ids = sv;
      if (Object.keys(body).length === 0) return;
      await patch(body);
      toast(t('adm.userSaved'), 'ok');
      ctx.refresh();
    },
  });

  // Reset the password.
  const { box: pwBox, input: password } = passwordBox('new_password');
  const resetForm = smallForm({
    id: 'user-reset',
    fields: [{ key: 'password', title: t('adm.tempPassword'), control: pwBox, group: true, required: true, hint: t('adm.resetHint'), check: passwordCheck(() => user.username) }],
    submitText: t('adm.resetPassword'),
    save: async () => {
      await patch({ password: password.value });
      handovers.set(user.id, password.value);
      toast(t('adm.passwordReset'), 'ok');
      ctx.refresh();
    },
  });

  // Deactivate, or reactivate.
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 2000 });
  const activeForm = user.active
    ? smallForm({
      id: 'user-deactivate',
      fields: [{ key: 'reason', title: t('adm.reason'), control: reason }],
      submitText: t('adm.deactivate'),
      save: async () => {
        if (!window.confirm(t('adm.deactivateConfirm', { n: user.username }))) return;
        const body = {};
        if (reason.value.trim()) body.reason = reason.value.trim();
        await api(`users/${user.id}/deactivate`, { method: 'POST', json: body });
        toast(t('adm.deactivated', { n: user.username }), 'ok');
        ctx.refresh();
      },
    })
    : h('div', { class: 'row' }, h('button', {
      type: 'button',
      class: 'btn btn-primary',
      id: 'user-reactivate',
      onclick: async (e) => {
        e.currentTarget.disabled = true;
        try {
          await patch({ active: true });
          toast(t('adm.reactivated', { n: user.username }), 'ok');
          ctx.refresh();
        } catch (err) {
          toast(explain(err), 'error');
          ctx.refresh();
        }
      },
    }, t('adm.reactivate')));

  const simple = (idName, text, path, done) => h('button', {
    type: 'button',
    class: 'btn btn-secondary',
    id: idName,
    onclick: async (e) => {
      const b = e.currentTarget;
      b.disabled = true;
      try {
        await api(path, { method: 'POST', json: {} });
        toast(done, 'ok');
      } catch (err) {
        toast(explain(err), 'error');
      } finally {
        b.disabled = false;
      }
    },
  }, text);

  mount(root,
    h('a', { href: '#/admin/users', class: 'btn btn-link' }, icon('back'), t('adm.users')),
    h('div', { class: 'toolbar' },
      h('div', {}, h('h1', { id: 'user-title' }, user.display_name || user.username), userState(user))),
    handover ? h('p', { class: 'notice', id: 'user-handover' }, t('adm.handover', { u: user.username, p: handover })) : null,
    h('div', { class: 'admin-grid' },
      h('div', { class: 'stack' },
        h('section', { class: 'card', id: 'user-facts' },
          facts([
            [t('field.username'), user.username, 'username'],
            [t('field.role'), label('role', user.role), 'role'],
            [t('adm.scope'), scopeText(user, names), 'scope'],
            [t('adm.state'), user.active ? t('adm.active') : t('adm.inactive'), 'active'],
            [t('adm.createdAt'), when(user.created_at)],
            [t('adm.updatedAt'), when(user.updated_at)],
          ])),
        h('section', { class: 'card stack' }, h('h2', {}, t('adm.roleAndScope')), editForm)),
      h('div', { class: 'stack' },
        h('section', { class: 'card stack', id: 'user-password' }, h('h2', {}, t('adm.resetPassword')), resetForm),
        h('section', { class: 'card stack', id: 'user-access' },
          h('h2', {}, user.active ? t('adm.deactivate') : t('adm.reactivate')),
          self && user.active ? h('p', { class: 'muted small' }, t('adm.selfNote')) : null,
          activeForm,
          user.active ? h('div', { class: 'row' },
            simple('user-unlock', t('adm.unlock'), `users/${user.id}/unlock`, t('adm.unlocked')),
            simple('user-revoke', t('adm.revoke'), `users/${user.id}/revoke-tokens`, t('adm.revoked'))) : null))));
}

