// One inspection (#/inspection/<id>): the unit, when, who, the campaign, leader-led, where,
// its photos (full size in the viewer) and every hazard it found, each opening its page.

import { t, label, when } from '../i18n.js';
import { h, mount, icon } from '../dom.js';
import * as lookup from '../lookup.js';
import { api, describe } from '../api.js';
import { gallery } from '../photos.js';
import '../i18n-paper.js';

function dl(pairs) {
  return h('dl', { class: 'facts' }, ...pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export async function inspectionView(root, ctx) {
  const id = ctx.args[0];
  let insp;
  let units;
  let campaigns;
  try {
    insp = await api(`inspections/${id}`);
    [units, campaigns] = await Promise.all([lookup.units([insp.unit_id]), lookup.campaigns().catch(() => [])]);
  } catch (err) {
    if (!ctx.current()) return;
    mount(root, h('div', { class: 'stack' }, h('p', { class: 'error' }, t('err.load', { e: describe(err, t) })), h('a', { href: '#/dashboard', class: 'btn btn-secondary' }, t('common.back'))));
    return;
  }
  if (!ctx.current()) return;
  const unit = units.get(insp.unit_id);
  const campaign = insp.campaign_id ? campaigns.find((c) => c.id === insp.campaign_id) : null;
  const hazards = insp.hazards || [];
  mount(root, h('div', { class: 'stack', id: 'inspection-page' },
    h('a', { href: '#/dashboard', class: 'btn btn-link', onclick: (e) => { if (history.length > 1) { e.preventDefault(); history.back(); } } }, icon('back'), t('common.back')),
    h('h1', {}, t('ip.title'), ' · ', unit ? unit.name : ''),
    h('section', { class: 'card' },
      dl([
        [t('hzp.unit'), unit ? h('a', { href: `#/unit/${unit.id}`, id: 'inspection-unit' }, `${unit.name} · ${unit.address || ''}`) : insp.unit_id],
        [t('ip.at'), when(insp.inspected_at)],
        [t('ip.inspectors'), (insp.inspectors || []).join('、')],
        [t('ip.campaign'), campaign ? campaign.name : (insp.campaign_id ? t('ip.campaignUnknown') : t('common.none'))],
        [t('ip.leaderLed'), insp.leader_led ? t('ip.yes') : t('ip.no')],
        [t('ip.place'), insp.latitude != null && insp.longitude != null ? `${Number(insp.latitude).toFixed(5)}, ${Number(insp.longitude).toFixed(5)}` : null],
        [t('ip.notes'), insp.notes],
        [t('ip.recorded'), `${when(insp.recorded_at)}`],
      ]),
      insp.attachment_ids && insp.attachment_ids.length ? h('h2', {}, t('hzp.photos')) : null,
      gallery(insp.attachment_ids),
      hazards.some((hz) => hz.handling_type === 'deadline' && hz.status !== 'voided')
        ? h('a', { href: `#/notice/${insp.id}`, class: 'btn btn-secondary', id: 'inspection-notice' }, t('paper.openNotice'))
        : null),
    h('h2', {}, t('ip.hazards', { n: hazards.length })),
    hazards.length === 0
      ? h('p', { class: 'muted', id: 'inspection-no-hazards' }, t('insp.noHazards'))
      : h('ul', { class: 'list', id: 'inspection-hazards' }, ...hazards.map((hz) => h('li', { class: 'card', dataset: { hazardId: hz.id, status: hz.status } },
        h('div', { class: 'tags' },
          h('span', { class: ['tag', `status-${hz.status}`] }, label('status', hz.status)),
          h('span', { class: ['tag', hz.level === 'major' && 'tag-major'] }, label('level', hz.level)),
          h('span', { class: 'tag' }, label('category', hz.category)),
          h('span', { class: 'tag' }, label('handling', hz.handling_type))),
        h('p', {}, h('a', { href: `#/hazard/${hz.id}`, class: 'row-link' }, hz.description)),
        dl([
          [t('hzp.deadline'), hz.deadline],
          [t('hzp.note'), hz.note],
          [t('hzp.legal'), hz.legal_basis],
        ]),
        gallery(hz.photo_ids)))),
  ));
}
