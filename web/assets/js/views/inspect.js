// The inspector's form: a unit in scope, when, who, leader-led, campaign, and any number
// of hazards with their photos. The draft is kept on the device while it is filled in;
// "submit" puts it in the outbox with its client id, and the outbox sends it. Everything
// the server would refuse that the phone can know is checked before queuing; a record the
// server refused anyway comes back here (the outbox's 修改) with each error beside its field.

import { t, label, options } from '../i18n.js';
import { h, mount, toast, icon, localDate, localDateTime, rfc3339, addDays } from '../dom.js';
import * as session from '../session.js';
import * as outbox from '../outbox.js';
import * as data from '../data.js';
import { uuidv7 } from '../ids.js';
import { photoField } from '../photos.js';
import { fieldSentence } from '../problems.js';

const MAX_TEXT = 2000;
const MAX_NAME = 200;
const MAX_INSPECTORS = 10;
const MAX_HAZARDS = 100;
// The server allows a device clock this far ahead (SAFETRACE_CLOCK_SKEW_SECONDS' default).
const FUTURE_SLACK_MS = 60 * 1000;

function newHazard() {
  return { key: uuidv7(), category: '', level: 'general', handling_type: 'deadline', description: '', legal_basis: '', deadline: '', note: '', photos: [] };
}

function newDraft(user) {
  return { unit: null, inspected_at: localDateTime(), inspectors: user.display_name || user.username, leader_led: false, campaign_id: '', notes: '', no_hazards: false, latitude: null, longitude: null, hazards: [] };
}

export function draftKeyOf(user) {
  return `safetrace.draft.inspection.${user.username}`;
}

/** Whether a draft holds anything typed or taken (worth asking before it is replaced). */
export function draftHasContent(draft) {
  return Boolean(draft && (draft.unit || (draft.notes || '').trim() || (draft.hazards || []).length > 0));
}

/** A form field (`hazards.0.deadline`) for a server's field path (`hazards[0].deadline`). */
export function formField(path) {
  const p = String(path || '').replace(/\[(\d+)\]/g, '.$1');
  if (p === 'unit_id') return 'unit';
  if (/^inspectors(\.\d+)?$/.test(p)) return 'inspectors';
  const photo = /^(hazards\.\d+)\.photo_ids/.exec(p);
  if (photo) return `${photo[1]}.photos`;
  const hz = /^(hazards\.\d+)\.(id|source)$/.exec(p);
  if (hz) return `${hz[1]}.description`;
  if (p === 'hazards' || p === 'attachment_ids' || p === 'id') return 'hazards';
  return p;
}

/**
 * The draft of a record the server refused: the same fields and hazards, the photos it
 * cites (already uploaded: shown from the server), the unit from the cached registry, and
 * the server's problems (raw, turned into sentences by the form).
 */
export function draftFromRefused(item, unitsById) {
  const b = item.body || {};
  const u = unitsById.get(b.unit_id);
  const at = b.inspected_at ? new Date(b.inspected_at) : null;
  return {
    unit: u ? { id: u.id, name: u.name, kind: u.kind, address: u.address, community_id: u.community_id } : { id: b.unit_id, name: item.label || '', kind: 'other', address: '' },
    inspected_at: at && !Number.isNaN(at.getTime()) ? localDateTime(at) : localDateTime(),
    inspectors: (b.inspectors || []).join('、'),
    leader_led: Boolean(b.leader_led),
    campaign_id: b.campaign_id || '',
    notes: b.notes || '',
    no_hazards: (b.hazards || []).length === 0,
    latitude: b.latitude ?? null,
    longitude: b.longitude ?? null,
    hazards: (b.hazards || []).map((hz) => ({
      key: uuidv7(),
      category: hz.category || '',
      level: hz.level || 'general',
      handling_type: hz.handling_type || 'deadline',
      description: hz.description || '',
      legal_basis: hz.legal_basis || '',
      deadline: hz.deadline || '',
      note: hz.note || '',
      photos: (hz.photo_ids || []).map((id) => ({ id, name: '' })),
    })),
    refused: { id: item.id, errors: (item.problem && Array.isArray(item.problem.errors)) ? item.problem.errors : [], summary: item.last_error || '' },
  };
}

function splitNames(text) {
  return text.split(/[,，、;；\n]+/).map((s) => s.trim()).filter(Boolean);
}

export async function inspectView(root, ctx) {
  const user = session.user();
  const draftKey = draftKeyOf(user);
  let draft;
  try {
    draft = JSON.parse(localStorage.getItem(draftKey) || 'null');
  } catch {
    draft = null;
  }
  if (!draft || !Array.isArray(draft.hazards)) draft = newDraft(user);
  const save = () => localStorage.setItem(draftKey, JSON.stringify(draft));
  // Errors are shown once a submission was tried (or the record came back refused), and
  // then follow every edit: an error leaves as soon as its field is right.
  let shown = Boolean(draft.refused);
  // The server's errors of a refused record, by form field; each leaves when its field is edited.
  const serverErrors = {};
  const serverOther = [];
  if (draft.refused) {
    for (const e of draft.refused.errors) {
      const f = formField(e.field);
      const sentence = fieldSentence(e, fieldLabel(f));
      if (f === 'latitude' || f === 'longitude') {
        // A position the server refuses is left out of the corrected record.
        draft.latitude = null;
        draft.longitude = null;
        serverOther.push(sentence);
      } else if (f === 'hazards' || f === 'campaign_id' || f === 'notes' || f === 'inspected_at' || f === 'inspectors' || f === 'unit' || /^hazards\.\d+\./.test(f)) {
        serverErrors[f] = serverErrors[f] ? `${serverErrors[f]}；${sentence}` : sentence;
      } else {
        serverOther.push(sentence);
      }
    }
    if (draft.refused.errors.length === 0 && draft.refused.summary) serverOther.push(draft.refused.summary);
  }
  const phrases = data.hazardPhrases().catch(() => ({ items: [] }));

  const [unitList, campaignList] = await Promise.all([data.units(), data.campaigns()]);
  if (!ctx.current()) return;
  let units = unitList.items;
  let campaigns = campaignList.items;

  const form = h('form', { class: 'stack', id: 'inspection-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } });
  const unitBox = h('div', { class: 'field', dataset: { field: 'unit' } });
  const campaignSelect = h('select', { name: 'campaign_id' });
  const hazardsBox = h('div', { class: 'stack', id: 'hazards' });
  const errorTop = h('p', { class: 'error', role: 'alert', id: 'form-summary', hidden: true });
  const notesBox = h('label', { class: 'field', dataset: { field: 'notes' } });
  const placeLine = h('p', { class: 'muted small', id: 'place' });

  function fieldLabel(f) {
    const base = String(f).replace(/^hazards\.\d+\./, '');
    const names = { unit: t('insp.unit'), inspected_at: t('insp.at'), inspectors: t('insp.inspectorsShort'), notes: t('insp.notes'), campaign_id: t('insp.campaign'), category: t('hz.category'), description: t('hz.description'), legal_basis: t('hz.legalBasis'), deadline: t('hz.deadline'), note: t('hz.note'), photos: t('hz.photos'), latitude: t('field.latitude'), longitude: t('field.longitude') };
    return names[base] || t('field.unknown');
  }

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
            refresh('unit');
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
          for (const k of Object.keys(serverErrors)) if (k.startsWith('hazards.')) delete serverErrors[k];
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
      h('div', { class: 'field', dataset: { field: `hazards.${index}.description` } },
        h('label', { class: 'field-title', for: `description-${hz.key}` }, t('hz.description')),
        phrasePicker(hz),
        h('textarea', { id: `description-${hz.key}`, name: 'description', rows: 3, maxlength: MAX_TEXT, oninput: (e) => { hz.description = e.target.value; save(); } }, hz.description),
        h('span', { class: 'field-error' })),
      h('label', { class: 'field', dataset: { field: `hazards.${index}.legal_basis` } },
        h('span', { class: 'field-title' }, t('hz.legalBasis'), ' ', h('small', { class: 'muted' }, t('common.optional'))),
        h('textarea', { name: 'legal_basis', rows: 2, maxlength: MAX_TEXT, oninput: (e) => { hz.legal_basis = e.target.value; save(); } }, hz.legal_basis || ''),
        h('span', { class: 'field-error' })),
      onDeadline
        ? h('div', { class: 'field', dataset: { field: `hazards.${index}.deadline` } },
          h('label', { class: 'field-title' }, t('hz.deadline')),
          deadlineInput,
          h('div', { class: 'chips' }, ...[3, 7, 15, 30].map((n) => h('button', {
            type: 'button',
            class: 'chip',
            onclick: () => { hz.deadline = addDays(day, n); deadlineInput.value = hz.deadline; save(); deadlineInput.dispatchEvent(new Event('input', { bubbles: true })); },
          }, t('hz.days', { n })))),
          h('span', { class: 'field-error' }))
        : h('label', { class: 'field', dataset: { field: `hazards.${index}.note` } },
          h('span', { class: 'field-title' }, t('hz.note')),
          h('textarea', { name: 'note', rows: 2, maxlength: MAX_TEXT, oninput: (e) => { hz.note = e.target.value; save(); } }, hz.note),
          h('span', { class: 'field-error' })),
      h('div', { class: 'field', dataset: { field: `hazards.${index}.photos` } }, h('span', { class: 'field-title' }, t('hz.photos')), photoField(hz.photos, () => { save(); refresh(`hazards.${index}.photos`); }, { name: `photos-${index}` }), h('span', { class: 'field-error' })),
    );
  }

  // The common phrases of the hazard's category (隐患库, kept on the device): a tap fills
  // the description and, where the phrase has one, the legal basis.
  function phrasePicker(hz) {
    const list = h('div', { class: 'choices phrase-list', hidden: true });
    const toggle = h('button', { type: 'button', class: 'btn btn-secondary phrase-toggle', 'aria-expanded': 'false' }, icon('ledger'), t('hz.phrases'));
    toggle.onclick = async () => {
      if (!list.hidden) { list.hidden = true; toggle.setAttribute('aria-expanded', 'false'); return; }
      const { items } = await phrases;
      const mine = items.filter((p) => p.active && (!hz.category || p.category === hz.category));
      mount(list,
        !hz.category ? h('p', { class: 'muted small' }, t('hz.phrasesPickCategory')) : null,
        ...(hz.category ? mine : []).map((p) => h('button', {
          type: 'button',
          class: 'choice phrase',
          dataset: { phraseId: p.id },
          onclick: () => {
            hz.description = p.text;
            if (p.legal_basis) hz.legal_basis = p.legal_basis;
            save();
            renderHazards();
            refresh(`hazards.${draft.hazards.indexOf(hz)}.description`);
          },
        }, h('span', {}, p.text), p.legal_basis ? h('span', { class: 'muted small' }, p.legal_basis) : null)),
        hz.category && mine.length === 0 ? h('p', { class: 'muted small' }, t('hz.phrasesNone')) : null);
      list.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
    };
    return h('div', { class: 'phrase-picker' }, toggle, list);
  }

  function renderHazards() {
    mount(hazardsBox,
      ...draft.hazards.map((hz, i) => hazardCard(hz, i)),
      draft.hazards.length === 0
        ? h('div', { class: 'field', dataset: { field: 'hazards' } },
          h('label', { class: 'toggle', id: 'no-hazards' },
            h('input', { type: 'checkbox', name: 'no_hazards', checked: Boolean(draft.no_hazards), onchange: (e) => { draft.no_hazards = e.target.checked; save(); } }),
            h('span', {}, t('insp.noHazardsChoice'))),
          h('span', { class: 'field-error' }))
        : null);
    if (shown) validate();
  }

  // --- the position --------------------------------------------------------------------
  function renderPlace() {
    placeLine.textContent = draft.latitude != null && draft.longitude != null
      ? t('insp.placeSet', { lat: Number(draft.latitude).toFixed(5), lng: Number(draft.longitude).toFixed(5) })
      : t('insp.placeNone');
  }
  function locate() {
    if (!navigator.geolocation || draft.latitude != null) { renderPlace(); return; }
    navigator.geolocation.getCurrentPosition((pos) => {
      draft.latitude = Math.round(pos.coords.latitude * 1e6) / 1e6;
      draft.longitude = Math.round(pos.coords.longitude * 1e6) / 1e6;
      save();
      if (ctx.current()) renderPlace();
    }, () => { if (ctx.current()) renderPlace(); }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    renderPlace();
  }

  // --- validation and submission -------------------------------------------------------
  function validate() {
    const errors = {};
    if (!draft.unit) errors.unit = t('insp.unitRequired');
    const names = splitNames(draft.inspectors || '');
    if (names.length === 0) errors.inspectors = t('insp.inspectorsRequired');
    if (names.length > MAX_INSPECTORS) errors.inspectors = t('insp.inspectorsTooMany');
    if (names.some((n) => n.length > MAX_NAME)) errors.inspectors = t('insp.inspectorTooLong', { max: MAX_NAME });
    const at = rfc3339(draft.inspected_at);
    const day = (draft.inspected_at || '').slice(0, 10);
    if (!at) errors.inspected_at = t('insp.atRequired');
    else if (new Date(at).getTime() > Date.now() + FUTURE_SLACK_MS) errors.inspected_at = t('insp.atFuture');
    if ((draft.notes || '').length > MAX_TEXT) errors.notes = t('hz.tooLong');
    if (draft.hazards.length === 0 && !draft.no_hazards) errors.hazards = t('insp.hazardsOrNone');
    if (draft.hazards.length > MAX_HAZARDS) errors.hazards = t('insp.hazardsTooMany', { n: MAX_HAZARDS });
    draft.hazards.forEach((hz, i) => {
      if (!hz.category) errors[`hazards.${i}.category`] = t('hz.categoryPick');
      if (!hz.description.trim()) errors[`hazards.${i}.description`] = t('hz.descriptionRequired');
      if (hz.description.length > MAX_TEXT) errors[`hazards.${i}.description`] = t('hz.tooLong');
      if ((hz.legal_basis || '').length > MAX_TEXT) errors[`hazards.${i}.legal_basis`] = t('hz.tooLong');
      if (hz.handling_type === 'deadline') {
        if (!hz.deadline) errors[`hazards.${i}.deadline`] = t('hz.deadlineRequired');
        else if (hz.deadline < day) errors[`hazards.${i}.deadline`] = t('hz.deadlineEarly');
      } else if (!hz.note.trim()) {
        errors[`hazards.${i}.note`] = t('hz.noteRequired');
      } else if (hz.note.length > MAX_TEXT) {
        errors[`hazards.${i}.note`] = t('hz.tooLong');
      }
    });
    // The server's errors of a refused record stand until their field is edited.
    for (const [f, msg] of Object.entries(serverErrors)) if (!errors[f]) errors[f] = msg;
    for (const el of form.querySelectorAll('[data-field]')) {
      const msg = errors[el.dataset.field];
      el.classList.toggle('invalid', Boolean(msg));
      const slot = el.querySelector(':scope > .field-error');
      if (slot) slot.textContent = msg || '';
    }
    const any = Object.keys(errors).length > 0 || serverOther.length > 0;
    errorTop.hidden = !any;
    errorTop.textContent = any ? [t(draft.refused ? 'insp.refusedFix' : 'insp.fixErrors'), ...serverOther].join(' ') : '';
    return errors;
  }

  /** After an edit of `field`: its server error leaves, and the errors shown follow. */
  function refresh(field) {
    const gone = (f) => f === field || (f === 'hazards' && (field === 'no_hazards' || /^hazards\.\d+\./.test(field || '')));
    let changed = false;
    for (const f of Object.keys(serverErrors)) if (gone(f)) { delete serverErrors[f]; changed = true; }
    if (changed && draft.refused) {
      // Kept with the draft, so that a reload shows only what is still to fix.
      draft.refused.errors = draft.refused.errors.filter((e) => !gone(formField(e.field)));
      save();
    }
    if (shown) validate();
  }

  form.addEventListener('input', (e) => refresh(e.target.closest('[data-field]')?.dataset.field || e.target.name));
  form.addEventListener('change', (e) => refresh(e.target.closest('[data-field]')?.dataset.field || e.target.name));

  async function submit() {
    shown = true;
    serverOther.length = 0;
    const errors = validate();
    if (Object.keys(errors).length > 0) {
      (form.querySelector('.invalid') || errorTop).scrollIntoView({ block: 'center' });
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
    if (draft.latitude != null && draft.longitude != null) {
      body.latitude = draft.latitude;
      body.longitude = draft.longitude;
    }
    if (draft.notes.trim()) body.notes = draft.notes.trim();
    body.hazards = draft.hazards.map((hz) => {
      const out = { category: hz.category, level: hz.level, handling_type: hz.handling_type, description: hz.description.trim() };
      if ((hz.legal_basis || '').trim()) out.legal_basis = hz.legal_basis.trim();
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
    shown = false;
    for (const k of Object.keys(serverErrors)) delete serverErrors[k];
    build();
    window.scrollTo(0, 0);
  }

  // --- the form ------------------------------------------------------------------------
  function build() {
    renderUnit();
    renderCampaigns();
    renderHazards();
    mount(notesBox, h('span', { class: 'field-title' }, t('insp.notes'), ' ', h('small', { class: 'muted' }, t('common.optional'))),
      h('textarea', { name: 'notes', rows: 2, maxlength: MAX_TEXT, oninput: (e) => { draft.notes = e.target.value; save(); } }, draft.notes),
      h('span', { class: 'field-error' }));
    mount(form,
      h('h1', {}, t('insp.title')),
      draft.refused ? h('p', { class: 'notice', id: 'refused-banner' }, t('insp.refusedBanner')) : null,
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
      h('label', { class: 'field', dataset: { field: 'campaign_id' } }, h('span', { class: 'field-title' }, t('insp.campaign'), ' ', h('small', { class: 'muted' }, t('common.optional'))), campaignSelect, h('span', { class: 'field-error' })),
      notesBox,
      placeLine,
      h('h2', {}, t('insp.hazards')),
      hazardsBox,
      h('button', { type: 'button', class: 'btn btn-secondary btn-block', id: 'add-hazard', onclick: () => { draft.hazards.push(newHazard()); draft.no_hazards = false; save(); refresh('hazards'); renderHazards(); hazardsBox.lastElementChild?.scrollIntoView({ block: 'start' }); } }, icon('plus'), t('insp.addHazard')),
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
          shown = false;
          for (const k of Object.keys(serverErrors)) delete serverErrors[k];
          serverOther.length = 0;
          build();
          locate();
        },
      }, t('insp.discard')));
    campaignSelect.onchange = (e) => { draft.campaign_id = e.target.value; save(); };
  }

  build();
  mount(root, form);
  if (shown) validate();
  locate();
}
