// The inspector's form: a unit in scope, when, who, leader-led, campaign, and any number
// of hazards with their photos. The draft is kept on the device while it is filled in;
// "submit" puts it in the outbox with its client id, and the outbox sends it.

import { t, label, options } from '../i18n.js';
import { h, mount, toast, icon, localDate, localDateTime, rfc3339, addDays } from '../dom.js';
import * as session from '../session.js';
import * as outbox from '../outbox.js';
import * as data from '../data.js';
import { uuidv7 } from '../ids.js';
import { photoField } from '../photos.js';

const MAX_TEXT = 2000;

function newHazard() {
  return { key: uuidv7(), category: '', level: 'general', handling_type: 'deadline', description: '', deadline: '', note: '', photos: [] };
}

function newDraft(user) {
  return { unit: null, inspected_at: localDateTime(), inspectors: user.display_name || user.username, leader_led: false, campaign_id: '', notes: '', hazards: [newHazard()] };
}

function splitNames(text) {
  return text.split(/[,，、;；\n]+/).map((s) => s.trim()).filter(Boolean);
}

export async function inspectView(root, ctx) {
  const user = session.user();
  const draftKey = `safetrace.draft.inspection.${user.username}`;
  let draft;
  try {
    draft = JSON.parse(localStorage.getItem(draftKey) || 'null');
  } catch {
    draft = null;
  }
  if (!draft || !Array.isArray(draft.hazards)) draft = newDraft(user);
  const save = () => localStorage.setItem(draftKey, JSON.stringify(draft));

  const [unitList, campaignList] = await Promise.all([data.units(), data.campaigns()]);
  if (!ctx.current()) return;
  let units = unitList.items;
  let campaigns = campaignList.items;

  const form = h('form', { class: 'stack', id: 'inspection-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } });
  const unitBox = h('div', { class: 'field', dataset: { field: 'unit' } });
  const campaignSelect = h('select', { name: 'campaign_id' });
  const hazardsBox = h('div', { class: 'stack', id: 'hazards' });
  const errorTop = h('p', { class: 'error', role: 'alert', hidden: true });

  // --- the unit ------------------------------------------------------------------------
  function renderUnit() {
    const err = h('span', { class: 'field-error' });
    if (draft.unit) {
      const u = draft.unit;
      mount(unitBox,
        h('span', { class: 'field-title' }, t('insp.unit')),
        h('div', { class: 'picked', id: 'picked-unit' },
          h('div', {}, h('strong', {}, u.name), h('div', { class: 'muted small' }, `${label('unitKind', u.kind)} · ${u.address || ''}`)),
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { draft.unit = null; save(); renderUnit(); } }, t('insp.unitChange'))),
        err);
      return;
    }
    const results = h('div', { class: 'choices', id: 'unit-results' });
    const search = h('input', { type: 'search', name: 'unit-search', placeholder: t('insp.unitSearch'), autocomplete: 'off', enterkeyhint: 'search' });
    const show = () => {
      const q = search.value.trim().toLowerCase();
      const hits = units.filter((u) => !q || [u.name, u.address, u.credit_code].some((v) => v && v.toLowerCase().includes(q)));
      const shown = hits.slice(0, 20);
      mount(results,
        ...shown.map((u) => h('button', {
          type: 'button',
          class: 'choice',
          dataset: { unitId: u.id },
          onclick: () => {
            draft.unit = { id: u.id, name: u.name, kind: u.kind, address: u.address, community_id: u.community_id };
            save();
            renderUnit();
          },
        }, h('strong', {}, u.name), h('span', { class: 'muted small' }, `${label('unitKind', u.kind)} · ${u.address || ''}${u.status !== 'active' ? ` · ${label('unitStatus', u.status)}` : ''}`))),
        hits.length === 0 ? h('p', { class: 'muted' }, t('insp.unitNone')) : null,
        hits.length > shown.length ? h('p', { class: 'muted small' }, t('insp.unitMore', { n: hits.length - shown.length })) : null);
    };
    search.addEventListener('input', show);
    show();
    mount(unitBox, h('span', { class: 'field-title' }, t('insp.unit')), search, results, err);
    unitList.fresh.then((fresh) => { units = fresh; if (!draft.unit && ctx.current()) show(); }).catch(() => {});
  }

  // --- the campaign --------------------------------------------------------------------
  function renderCampaigns() {
    const today = localDate();
    const shown = campaigns.filter((c) => (c.starts_on <= today && c.ends_on >= today) || c.id === draft.campaign_id);
    mount(campaignSelect,
      h('option', { value: '' }, t('common.none')),
      ...shown.map((c) => h('option', { value: c.id, selected: c.id === draft.campaign_id }, c.name)));
  }
  campaignList.fresh.then((fresh) => { campaigns = fresh; if (ctx.current()) renderCampaigns(); }).catch(() => {});

  // --- the hazards ---------------------------------------------------------------------
  function segmented(name, kind, value, onchange) {
    return h('div', { class: 'segmented', role: 'radiogroup' },
      ...options(kind).map((v) => h('label', { class: 'seg' },
        h('input', { type: 'radio', name, value: v, checked: v === value, onchange: () => onchange(v) }),
        h('span', {}, label(kind, v)))));
  }

  function hazardCard(hz, index) {
    const onDeadline = hz.handling_type === 'deadline';
    const deadlineInput = h('input', { type: 'date', name: 'deadline', value: hz.deadline, min: (draft.inspected_at || '').slice(0, 10), oninput: (e) => { hz.deadline = e.target.value; save(); } });
    const day = (draft.inspected_at || localDateTime()).slice(0, 10);
    return h('fieldset', { class: 'card hazard-card', dataset: { hazard: String(index) } },
      h('legend', {}, t('hz.n', { n: index + 1 })),
      h('button', {
        type: 'button',
        class: 'btn-icon remove-hazard',
        'aria-label': t('hz.remove'),
        title: t('hz.remove'),
        onclick: async () => {
          for (const p of hz.photos) await outbox.dropPhoto(p.id);
          draft.hazards.splice(draft.hazards.indexOf(hz), 1);
          save();
          renderHazards();
        },
      }, icon('trash')),
      h('label', { class: 'field', dataset: { field: `hazards.${index}.category` } },
        h('span', { class: 'field-title' }, t('hz.category')),
        h('select', { name: 'category', onchange: (e) => { hz.category = e.target.value; save(); } },
          h('option', { value: '' }, t('hz.categoryPick')),
          ...options('category').map((c) => h('option', { value: c, selected: c === hz.category }, label('category', c)))),
        h('span', { class: 'field-error' })),
      h('div', { class: 'field' }, h('span', { class: 'field-title' }, t('hz.level')),
        segmented(`level-${hz.key}`, 'level', hz.level, (v) => { hz.level = v; save(); })),
      h('div', { class: 'field' }, h('span', { class: 'field-title' }, t('hz.handling')),
        segmented(`handling-${hz.key}`, 'handling', hz.handling_type, (v) => { hz.handling_type = v; save(); renderHazards(); })),
      h('label', { class: 'field', dataset: { field: `hazards.${index}.description` } },
        h('span', { class: 'field-title' }, t('hz.description')),
        h('textarea', { name: 'description', rows: 3, maxlength: MAX_TEXT, oninput: (e) => { hz.description = e.target.value; save(); } }, hz.description),
        h('span', { class: 'field-error' })),
      onDeadline
        ? h('div', { class: 'field', dataset: { field: `hazards.${index}.deadline` } },
          h('label', { class: 'field-title' }, t('hz.deadline')),
          deadlineInput,
          h('div', { class: 'chips' }, ...[3, 7, 15, 30].map((n) => h('button', {
            type: 'button',
            class: 'chip',
            onclick: () => { hz.deadline = addDays(day, n); deadlineInput.value = hz.deadline; save(); },
          }, t('hz.days', { n })))),
          h('span', { class: 'field-error' }))
        : h('label', { class: 'field', dataset: { field: `hazards.${index}.note` } },
          h('span', { class: 'field-title' }, t('hz.note')),
          h('textarea', { name: 'note', rows: 2, maxlength: MAX_TEXT, oninput: (e) => { hz.note = e.target.value; save(); } }, hz.note),
          h('span', { class: 'field-error' })),
      h('div', { class: 'field' }, h('span', { class: 'field-title' }, t('hz.photos')), photoField(hz.photos, save, { name: `photos-${index}` })),
    );
  }

  function renderHazards() {
    mount(hazardsBox,
      ...draft.hazards.map((hz, i) => hazardCard(hz, i)),
      draft.hazards.length === 0 ? h('p', { class: 'muted' }, t('insp.noHazards')) : null);
  }

  // --- validation and submission -------------------------------------------------------
  function validate() {
    const errors = {};
    if (!draft.unit) errors.unit = t('insp.unitRequired');
    const names = splitNames(draft.inspectors || '');
    if (names.length === 0) errors.inspectors = t('insp.inspectorsRequired');
    if (names.length > 10) errors.inspectors = t('insp.inspectorsTooMany');
    const day = (draft.inspected_at || '').slice(0, 10);
    if (!rfc3339(draft.inspected_at)) errors.inspected_at = t('common.required');
    draft.hazards.forEach((hz, i) => {
      if (!hz.category) errors[`hazards.${i}.category`] = t('hz.categoryPick');
      if (!hz.description.trim()) errors[`hazards.${i}.description`] = t('hz.descriptionRequired');
      if (hz.description.length > MAX_TEXT) errors[`hazards.${i}.description`] = t('hz.tooLong');
      if (hz.handling_type === 'deadline') {
        if (!hz.deadline) errors[`hazards.${i}.deadline`] = t('hz.deadlineRequired');
        else if (hz.deadline < day) errors[`hazards.${i}.deadline`] = t('hz.deadlineEarly');
      } else if (!hz.note.trim()) {
        errors[`hazards.${i}.note`] = t('hz.noteRequired');
      }
    });
    for (const el of form.querySelectorAll('[data-field]')) {
      const msg = errors[el.dataset.field];
      el.classList.toggle('invalid', Boolean(msg));
      const slot = el.querySelector(':scope > .field-error');
      if (slot) slot.textContent = msg || '';
    }
    return errors;
  }

  async function submit() {
    const errors = validate();
    if (Object.keys(errors).length > 0) {
      errorTop.textContent = t('insp.fixErrors');
      errorTop.hidden = false;
      form.querySelector('.invalid')?.scrollIntoView({ block: 'center' });
      return;
    }
    errorTop.hidden = true;
    const body = {
      id: uuidv7(),
      unit_id: draft.unit.id,
      inspected_at: rfc3339(draft.inspected_at),
      inspectors: splitNames(draft.inspectors),
      leader_led: Boolean(draft.leader_led),
    };
    if (draft.campaign_id) body.campaign_id = draft.campaign_id;
    if (draft.notes.trim()) body.notes = draft.notes.trim();
    body.hazards = draft.hazards.map((hz) => {
      const out = { category: hz.category, level: hz.level, handling_type: hz.handling_type, description: hz.description.trim() };
      if (hz.handling_type === 'deadline') out.deadline = hz.deadline;
      else out.note = hz.note.trim();
      if (draft.campaign_id) out.source = 'campaign';
      out.photo_ids = hz.photos.map((p) => p.id);
      return out;
    });
    const needs = draft.hazards.flatMap((hz) => hz.photos.map((p) => p.id));
    await outbox.addSubmission({ kind: 'inspection', path: '/api/v1/inspections', body, needs, label: draft.unit.name, meta: { hazards: body.hazards.length } });
    toast(t('insp.saved', { n: body.hazards.length }), 'ok');
    draft = newDraft(user);
    localStorage.removeItem(draftKey);
    build();
    window.scrollTo(0, 0);
  }

  // --- the form ------------------------------------------------------------------------
  function build() {
    renderUnit();
    renderCampaigns();
    renderHazards();
    mount(form,
      h('h1', {}, t('insp.title')),
      unitList.error && units.length === 0 ? h('p', { class: 'error' }, t('err.load', { e: t('err.network') })) : null,
      unitBox,
      h('label', { class: 'field', dataset: { field: 'inspected_at' } },
        h('span', { class: 'field-title' }, t('insp.at')),
        h('input', { type: 'datetime-local', name: 'inspected_at', value: draft.inspected_at, oninput: (e) => { draft.inspected_at = e.target.value; save(); } }),
        h('span', { class: 'field-error' })),
      h('label', { class: 'field', dataset: { field: 'inspectors' } },
        h('span', { class: 'field-title' }, t('insp.inspectors')),
        h('input', { name: 'inspectors', value: draft.inspectors, oninput: (e) => { draft.inspectors = e.target.value; save(); } }),
        h('span', { class: 'field-error' })),
      h('label', { class: 'toggle' },
        h('input', { type: 'checkbox', name: 'leader_led', checked: draft.leader_led, onchange: (e) => { draft.leader_led = e.target.checked; save(); } }),
        h('span', {}, t('insp.leaderLed'))),
      h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('insp.campaign'), ' ', h('small', { class: 'muted' }, t('common.optional'))), campaignSelect),
      h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('insp.notes'), ' ', h('small', { class: 'muted' }, t('common.optional'))),
        h('textarea', { name: 'notes', rows: 2, maxlength: MAX_TEXT, oninput: (e) => { draft.notes = e.target.value; save(); } }, draft.notes)),
      h('h2', {}, t('insp.hazards')),
      hazardsBox,
      h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'add-hazard', onclick: () => { draft.hazards.push(newHazard()); save(); renderHazards(); hazardsBox.lastElementChild?.scrollIntoView({ block: 'start' }); } }, icon('plus'), t('insp.addHazard')),
      errorTop,
      h('div', { class: 'submit-bar' },
        h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'submit-inspection' }, t('insp.submit'))),
      h('button', {
        type: 'button',
        class: 'btn btn-link',
        onclick: async () => {
          if (!window.confirm(t('insp.discardConfirm'))) return;
          for (const hz of draft.hazards) for (const p of hz.photos) await outbox.dropPhoto(p.id);
          draft = newDraft(user);
          localStorage.removeItem(draftKey);
          build();
        },
      }, t('insp.discard')));
    campaignSelect.onchange = (e) => { draft.campaign_id = e.target.value; save(); };
  }

  build();
  mount(root, form);
}
