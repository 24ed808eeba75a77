// What is still waiting to be sent, and what was delivered lately.

import { t, when, timeOfDay } from '../i18n.js';
import { h, mount, icon } from '../dom.js';
import * as session from '../session.js';
import * as outbox from '../outbox.js';
import { thumb } from '../photos.js';
import * as data from '../data.js';
import { draftKeyOf, draftHasContent, draftFromRefused } from './inspect.js';

const ICONS = { photo: 'camera', inspection: 'inspect', rectification: 'rectify' };

/** What the server said, for whoever asks (详情): status, each field's path, code and words. */
function problemDetails(item) {
  const p = item.problem;
  if (!p) return null;
  const lines = [`${p.status || ''} ${p.type || ''} ${p.detail || ''}`.trim(), ...(p.errors || []).map((e) => `${e.field}: ${e.code} — ${e.message}`)];
  return h('details', { class: 'problem-details small' }, h('summary', {}, t('out.details')), h('pre', {}, lines.join('\n')));
}

/** Opens a refused inspection in the form, with its errors beside its fields. */
async function fix(item) {
  const user = session.user();
  const key = draftKeyOf(user);
  let current = null;
  try { current = JSON.parse(localStorage.getItem(key) || 'null'); } catch { current = null; }
  if (draftHasContent(current) && !window.confirm(t('out.fixReplace'))) return;
  const units = await data.unitMap().catch(() => new Map());
  localStorage.setItem(key, JSON.stringify(draftFromRefused(item, units)));
  // The refused submission stored nothing; the corrected one goes as a new submission.
  await outbox.discard(item.id);
  window.location.hash = '#/inspect';
}

function size(bytes) {
  return bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

export async function outboxView(root, ctx) {
  const box = h('div', { class: 'stack', id: 'outbox' });
  const draw = async () => {
    const me = session.user()?.username;
    const all = await outbox.items();
    if (!ctx.current()) return;
    const mine = all.filter((i) => i.owner === me);
    const others = all.filter((i) => i.owner !== me);
    const waiting = new Set(all.map((i) => i.id));
    const st = outbox.status();
    const sendNow = h('button', { type: 'button', class: 'btn btn-primary btn-block', id: 'send-now', disabled: st.running || mine.length === 0, onclick: () => outbox.flush({ force: true }) },
      st.running ? t('out.sending') : t('out.sendNow'));
    const row = (item) => {
      const blocked = item.kind !== 'photo' && item.needs.some((id) => waiting.has(id));
      const details = [when(item.created_at)];
      if (item.kind === 'photo') details.push(size(item.size || 0));
      if (item.kind === 'inspection' && item.meta) details.push(t('out.hazards', { n: item.meta.hazards }));
      let state = null;
      if (item.owner !== me) state = h('span', { class: 'muted' }, t('out.otherUser', { u: item.owner }));
      else if (item.failed) state = h('span', { class: 'error' }, t('out.failed', { e: item.last_error }));
      else if (blocked) state = h('span', { class: 'muted' }, t('out.blocked'));
      else if (item.attempts > 0) {
        const err = item.last_error === 'network' ? t('out.network') : item.last_error;
        state = h('span', { class: 'muted' }, t('out.attempts', { n: item.attempts }), ' · ', t('out.lastError', { e: err }), item.next_at > Date.now() ? ` · ${t('out.retryAt', { t: timeOfDay(item.next_at) })}` : '');
      }
      return h('li', { class: ['card', 'outbox-item', item.failed && 'failed'], dataset: { kind: item.kind, id: item.id } },
        item.kind === 'photo' ? thumb(item.id, { alt: item.file_name }) : h('span', { class: 'outbox-icon', 'aria-hidden': 'true' }, icon(ICONS[item.kind] || 'inspect', 28)),
        h('div', { class: 'outbox-text' },
          h('strong', {}, t(`out.kind.${item.kind}`), item.label ? ` · ${item.label}` : ''),
          h('div', { class: 'muted small' }, details.join(' · ')),
          state ? h('div', { class: 'small' }, state) : null,
          item.failed && item.owner === me ? problemDetails(item) : null,
          item.failed && item.owner === me
            ? h('div', { class: 'row outbox-actions' },
              item.kind === 'inspection' ? h('button', { type: 'button', class: 'btn btn-primary fix-item', onclick: () => fix(item) }, t('out.fix')) : null,
              h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => { if (window.confirm(t('out.discardConfirm'))) await outbox.discard(item.id); } }, t('out.discard')))
            : null));
    };
    const sent = outbox.sent();
    mount(box,
      h('h1', {}, t('out.title')),
      h('p', { class: ['outbox-summary', mine.length === 0 ? 'ok' : 'waiting'], id: 'outbox-summary' },
        mine.length === 0 ? [icon('check'), ' ', t('out.empty')] : t('out.waiting', { n: mine.length })),
      session.loggedIn() ? sendNow : h('p', { class: 'error' }, t('out.loginToSend')),
      h('ul', { class: 'list', id: 'outbox-items' }, ...mine.map(row), ...others.map(row)),
      sent.length > 0 ? h('h2', {}, t('out.sent')) : null,
      sent.length > 0
        ? h('ul', { class: 'list', id: 'outbox-sent' }, ...sent.map((s) => h('li', { class: 'sent-item small', dataset: { status: String(s.status) } },
          `${t(`out.kind.${s.kind}`)}${s.label ? ` · ${s.label}` : ''} — ${s.status === 201 ? t('out.ack201') : t('out.ack200')} · ${when(s.at)}`)))
        : null);
  };
  const onChange = () => { draw(); };
  outbox.events.addEventListener('change', onChange);
  const tick = setInterval(draw, 5000);
  ctx.onLeave(() => {
    outbox.events.removeEventListener('change', onChange);
    clearInterval(tick);
  });
  mount(root, box);
  await draw();
}
