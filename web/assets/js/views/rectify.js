// Rectification: pick an open hazard, record the measures and photos of the result; the
// submission goes to the outbox like an inspection.

import { t, label, when } from '../i18n.js';
import { h, mount, toast, icon, localDateTime, rfc3339 } from '../dom.js';
import * as outbox from '../outbox.js';
import * as data from '../data.js';
import { api } from '../api.js';
import { uuidv7 } from '../ids.js';
import { photoField } from '../photos.js';

export function hazardLine(hz, unitName) {
  return [
    h('strong', {}, unitName || ''),
    h('span', { class: 'tags' },
      h('span', { class: ['tag', hz.level === 'major' && 'tag-major'] }, label('level', hz.level)),
      h('span', { class: 'tag' }, label('category', hz.category)),
      hz.days_overdue ? h('span', { class: 'tag tag-overdue' }, t('dash.overdueDays', { n: hz.days_overdue })) : hz.deadline ? h('span', { class: 'tag' }, t('dash.deadline', { d: hz.deadline })) : null),
    h('span', { class: 'muted small line-clamp' }, hz.description),
  ];
}

async function queuedHazardIds() {
  return new Set((await outbox.items()).filter((i) => i.kind === 'rectification').map((i) => i.meta && i.meta.hazard_id));
}

export async function rectifyView(root, ctx) {
  if (ctx.args[0]) return rectifyForm(root, ctx, ctx.args[0]);
  const [list, units, queued] = await Promise.all([data.openHazards(), data.unitMap(), queuedHazardIds()]);
  if (!ctx.current()) return;
  const results = h('div', { class: 'choices', id: 'hazard-results' });
  const search = h('input', { type: 'search', name: 'hazard-search', placeholder: t('rect.search'), autocomplete: 'off' });
  let hazards = list.items;
  const show = () => {
    const q = search.value.trim().toLowerCase();
    const hits = hazards.filter((hz) => {
      const unitName = units.get(hz.unit_id)?.name || '';
      return !q || unitName.toLowerCase().includes(q) || hz.description.toLowerCase().includes(q);
    });
    mount(results,
      ...hits.map((hz) => {
        const waiting = queued.has(hz.id);
        return h('a', { href: waiting ? '#/outbox' : `#/rectify/${hz.id}`, class: ['choice', waiting && 'choice-done'], dataset: { hazardId: hz.id } },
          ...hazardLine(hz, units.get(hz.unit_id)?.name),
          waiting ? h('span', { class: 'tag tag-waiting' }, t('rect.queued')) : null);
      }),
      hits.length === 0 ? h('p', { class: 'muted' }, t('rect.none')) : null);
  };
  search.addEventListener('input', show);
  list.fresh.then((fresh) => { hazards = fresh; if (ctx.current()) show(); }).catch(() => {});
  show();
  mount(root, h('div', { class: 'stack' }, h('h1', {}, t('rect.pick')), search, results));
}

async function rectifyForm(root, ctx, hazardId) {
  const [list, units] = await Promise.all([data.openHazards(), data.unitMap()]);
  let hazard = list.items.find((hz) => hz.id === hazardId);
  if (!hazard) {
    try {
      const detail = await api(`hazards/${hazardId}`);
      hazard = detail.status === 'open' ? detail : null;
    } catch {
      hazard = null;
    }
  }
  if (!ctx.current()) return;
  if (!hazard) {
    mount(root, h('div', { class: 'stack' }, h('p', { class: 'error' }, t('rect.none')), h('a', { href: '#/rectify', class: 'btn btn-secondary' }, t('common.back'))));
    return;
  }
  const unitName = units.get(hazard.unit_id)?.name || '';
  const draft = { measures: '', responsible_person: '', cost: '', completed_at: localDateTime(), photos: [] };
  const errorTop = h('p', { class: 'error', role: 'alert', hidden: true });
  const fieldError = (name) => h('span', { class: 'field-error', dataset: { for: name } });
  const form = h('form', {
    class: 'stack',
    id: 'rectification-form',
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const errors = {};
      if (!draft.measures.trim()) errors.measures = t('rect.measuresRequired');
      if (draft.photos.length === 0) errors.photos = t('rect.evidenceRequired');
      if (!rfc3339(draft.completed_at)) errors.completed_at = t('common.required');
      for (const slot of form.querySelectorAll('.field-error')) slot.textContent = errors[slot.dataset.for] || '';
      if (Object.keys(errors).length > 0) {
        errorTop.textContent = t('insp.fixErrors');
        errorTop.hidden = false;
        return;
      }
      const body = { id: uuidv7(), measures: draft.measures.trim(), completed_at: rfc3339(draft.completed_at), evidence_ids: draft.photos.map((p) => p.id) };
      if (draft.responsible_person.trim()) body.responsible_person = draft.responsible_person.trim();
      if (draft.cost !== '' && !Number.isNaN(Number(draft.cost))) body.cost = Number(draft.cost);
      await outbox.addSubmission({
        kind: 'rectification',
        path: `/api/v1/hazards/${hazard.id}/rectifications`,
        body,
        needs: body.evidence_ids,
        label: `${unitName} · ${label('category', hazard.category)}`,
        meta: { hazard_id: hazard.id },
      });
      form.dataset.sent = '1';
      toast(t('rect.saved'), 'ok');
      ctx.go('#/rectify');
    },
  },
  h('a', { href: '#/rectify', class: 'btn btn-link' }, icon('back'), t('common.back')),
  h('h1', {}, t('rect.title')),
  h('div', { class: 'card' }, ...hazardLine(hazard, unitName), h('div', { class: 'muted small' }, t('hzp.found'), ' ', when(hazard.found_at))),
  h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('rect.measures')),
    h('textarea', { name: 'measures', rows: 4, maxlength: 2000, oninput: (e) => { draft.measures = e.target.value; } }), fieldError('measures')),
  h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('rect.responsible'), ' ', h('small', { class: 'muted' }, t('common.optional'))),
    h('input', { name: 'responsible_person', oninput: (e) => { draft.responsible_person = e.target.value; } })),
  h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('rect.cost'), ' ', h('small', { class: 'muted' }, t('common.optional'))),
    h('input', { name: 'cost', type: 'number', inputmode: 'decimal', min: 0, step: '0.01', oninput: (e) => { draft.cost = e.target.value; } })),
  h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('rect.completedAt')),
    h('input', { name: 'completed_at', type: 'datetime-local', value: draft.completed_at, oninput: (e) => { draft.completed_at = e.target.value; } }), fieldError('completed_at')),
  h('div', { class: 'field' }, h('span', { class: 'field-title' }, t('rect.evidence')), photoField(draft.photos, () => {}, { name: 'evidence' }), fieldError('photos')),
  errorTop,
  h('div', { class: 'submit-bar' }, h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'submit-rectification' }, t('rect.submit'))));
  ctx.onLeave(() => {
    // Photos of a form left without submitting are not sent.
    if (!form.dataset.sent) for (const p of draft.photos) outbox.dropPhoto(p.id);
  });
  mount(root, form);
}
