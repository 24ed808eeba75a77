// One hazard: its details and photos (full size in the viewer), its rectifications with
// their photos and who verified them when, its history, and for supervisors the
// verification (pass / reject) of a pending rectification, 作废 (void, with a reason) and
// 延期 (a later deadline, with a reason).

import { t, label, when } from '../i18n.js';
import { h, mount, toast, icon, addDays } from '../dom.js';
import * as session from '../session.js';
import * as lookup from '../lookup.js';
import { api, describe } from '../api.js';
import { gallery } from '../photos.js';
import '../i18n-paper.js';

const photos = gallery;

/** The void (作废) and extend (延期) forms of a supervisor, each behind its button. */
function supervisorActions(hz, ctx) {
  const canExtend = hz.handling_type === 'deadline' && hz.deadline;
  const box = h('section', { class: 'card stack', id: 'hazard-actions' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const send = async (path, body, button, done) => {
    error.hidden = true;
    button.disabled = true;
    try {
      await api(`hazards/${hz.id}/${path}`, { method: 'POST', json: { ...body, version: hz.version } });
      toast(done, 'ok');
      ctx.refresh();
    } catch (err) {
      error.textContent = describe(err, t);
      error.hidden = false;
      button.disabled = false;
    }
  };
  const voidForm = () => {
    const reason = h('textarea', { name: 'void_reason', rows: 2, maxlength: 2000 });
    const go = h('button', { type: 'submit', class: 'btn btn-bad', id: 'void-confirm' }, t('hzp.voidConfirm'));
    return h('form', { class: 'stack', id: 'void-form', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      if (!reason.value.trim()) { error.textContent = t('hzp.reasonRequired'); error.hidden = false; return; }
      send('void', { reason: reason.value.trim() }, go, t('hzp.voided'));
    } },
    h('p', { class: 'muted small' }, t('hzp.voidHint')),
    h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('hzp.voidReason')), reason),
    go);
  };
  const extendForm = () => {
    const min = addDays(hz.deadline, 1);
    const date = h('input', { type: 'date', name: 'new_deadline', min, value: addDays(hz.deadline, 7) });
    const reason = h('textarea', { name: 'extend_reason', rows: 2, maxlength: 2000 });
    const go = h('button', { type: 'submit', class: 'btn btn-primary', id: 'extend-confirm' }, t('hzp.extendConfirm'));
    return h('form', { class: 'stack', id: 'extend-form', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      if (!date.value || date.value < min) { error.textContent = t('hzp.extendLater', { d: hz.deadline }); error.hidden = false; return; }
      if (!reason.value.trim()) { error.textContent = t('hzp.reasonRequired'); error.hidden = false; return; }
      send('deadline', { deadline: date.value, reason: reason.value.trim() }, go, t('hzp.extended', { d: date.value }));
    } },
    h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('hzp.newDeadline', { d: hz.deadline })), date),
    h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('hzp.extendReason')), reason),
    go);
  };
  const slot = h('div', {});
  const open = (which) => { error.hidden = true; mount(slot, which === 'void' ? voidForm() : extendForm()); slot.querySelector('textarea, input')?.focus(); };
  mount(box,
    h('h2', {}, t('hzp.manage')),
    h('div', { class: 'row' },
      canExtend ? h('button', { type: 'button', class: 'btn btn-secondary', id: 'extend-open', onclick: () => open('extend') }, t('hzp.extend')) : null,
      h('button', { type: 'button', class: 'btn btn-secondary', id: 'void-open', onclick: () => open('void') }, t('hzp.void'))),
    slot, error);
  return box;
}

/** Who verified a rectification: the name on the hazard's event of that verification. */
function verifierName(rect, events) {
  if (!rect.verified_by) return null;
  const ev = (events || []).filter((e) => (e.kind === 'rectification_passed' || e.kind === 'rectification_rejected') && e.actor_user_id === rect.verified_by);
  if (ev.length === 0) return null;
  const at = new Date(rect.verified_at || 0).getTime();
  ev.sort((a, b) => Math.abs(new Date(a.at).getTime() - at) - Math.abs(new Date(b.at).getTime() - at));
  return ev[0].actor;
}

function dl(pairs) {
  return h('dl', { class: 'facts' }, ...pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export async function hazardView(root, ctx) {
  const id = ctx.args[0];
  let detail;
  let units;
  try {
    detail = await api(`hazards/${id}`);
    units = await lookup.units([(detail.hazard || detail).unit_id]);
  } catch (err) {
    if (!ctx.current()) return;
    mount(root, h('div', { class: 'stack' }, h('p', { class: 'error' }, t('err.load', { e: describe(err, t) })), h('a', { href: '#/dashboard', class: 'btn btn-secondary' }, t('common.back'))));
    return;
  }
  if (!ctx.current()) return;
  const hz = detail.hazard || detail;
  const unit = units.get(hz.unit_id);
  const rects = detail.rectifications || [];
  const verify = async (rect, outcome, comment, buttons, error) => {
    if (outcome === 'reject' && !comment.trim()) {
      error.textContent = t('hzp.rejectNeedsComment');
      error.hidden = false;
      return;
    }
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const body = { outcome };
      if (comment.trim()) body.comment = comment.trim();
      await api(`rectifications/${rect.id}/verification`, { method: 'POST', json: body });
      toast(outcome === 'pass' ? t('hzp.passed') : t('hzp.rejected'), 'ok');
      ctx.refresh();
    } catch (err) {
      error.textContent = describe(err, t);
      error.hidden = false;
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  const rectCard = (rect) => {
    let actions = null;
    if (rect.status === 'pending' && session.canVerify()) {
      const comment = h('textarea', { name: 'comment', rows: 2, maxlength: 2000, placeholder: t('hzp.commentHint') });
      const error = h('p', { class: 'error', role: 'alert', hidden: true });
      const pass = h('button', { type: 'button', class: 'btn btn-good', id: 'verify-pass' }, icon('check'), t('hzp.pass'));
      const reject = h('button', { type: 'button', class: 'btn btn-bad', id: 'verify-reject' }, icon('undo'), t('hzp.reject'));
      pass.onclick = () => verify(rect, 'pass', comment.value, [pass, reject], error);
      reject.onclick = () => verify(rect, 'reject', comment.value, [pass, reject], error);
      actions = h('div', { class: 'verify stack' }, h('label', { class: 'field' }, h('span', { class: 'field-title' }, t('hzp.comment')), comment), error, h('div', { class: 'row' }, pass, reject));
    }
    return h('li', { class: ['card', 'rect', `rect-${rect.status}`], dataset: { rectId: rect.id, status: rect.status } },
      h('div', { class: 'tags' }, h('span', { class: ['tag', `rect-status-${rect.status}`] }, label('rectStatus', rect.status))),
      h('p', {}, rect.measures),
      dl([
        [t('rect.responsible'), rect.responsible_person],
        [t('rect.completedAt'), when(rect.completed_at)],
        [t('rect.cost'), rect.cost],
        [t('hzp.verifier'), verifierName(rect, detail.events)],
        [t('hzp.verifiedAt'), rect.verified_at ? when(rect.verified_at) : null],
        [t('hzp.comment'), rect.verification_comment],
      ]),
      photos(rect.evidence_ids),
      h('div', { class: 'muted small' }, t('hzp.submitted', { t: when(rect.submitted_at) })),
      rect.status === 'pending' ? null : h('a', { href: `#/recheck/${rect.id}`, class: 'btn btn-secondary recheck-link' }, t('paper.openRecheck')),
      actions);
  };
  const governance = governanceSection(hz, detail, ctx);
  mount(root, h('div', { class: 'stack', id: 'hazard-page', dataset: { status: hz.status } },
    // Back to where the hazard was opened from (the dashboard, the ledger, a unit's file).
    h('a', { href: '#/dashboard', class: 'btn btn-link', onclick: (e) => { if (history.length > 1) { e.preventDefault(); history.back(); } } }, icon('back'), t('common.back')),
    h('h1', {}, label('category', hz.category), ' · ', unit ? unit.name : ''),
    h('div', { class: 'tags' },
      h('span', { class: ['tag', `status-${hz.status}`], id: 'hazard-status' }, label('status', hz.status)),
      h('span', { class: ['tag', hz.level === 'major' && 'tag-major'] }, label('level', hz.level)),
      h('span', { class: 'tag' }, label('handling', hz.handling_type)),
      hz.days_overdue ? h('span', { class: 'tag tag-overdue' }, t('dash.overdueDays', { n: hz.days_overdue })) : null),
    h('section', { class: 'card' },
      h('p', {}, hz.description),
      dl([
        [t('hzp.unit'), unit ? h('a', { href: `#/unit/${unit.id}`, id: 'hazard-unit' }, `${unit.name} · ${unit.address || ''}`) : hz.unit_id],
        [t('hzp.found'), when(hz.found_at)],
        [t('hzp.deadline'), hz.deadline],
        [t('hzp.note'), hz.note],
        [t('hzp.legal'), hz.legal_basis],
        [t('hzp.responsible'), hz.responsible_person],
        [t('hzp.foundBy'), hz.found_by ? t(`hzp.foundBy.${hz.found_by}`) : null],
        [t('hzp.recurrence'), hz.recurrence_of ? h('a', { href: `#/hazard/${hz.recurrence_of}`, id: 'hazard-recurrence' }, t('hzp.recurrenceLink')) : null],
      ]),
      hz.photo_ids && hz.photo_ids.length ? h('h2', {}, t('hzp.photos')) : null,
      photos(hz.photo_ids),
      h('p', { class: 'small' }, h('a', { href: `#/inspection/${hz.inspection_id}`, id: 'hazard-inspection', class: 'btn btn-link' }, t('hzp.inspection'))),
      hz.status === 'open' && session.canRecord() ? h('a', { href: `#/rectify/${hz.id}`, class: 'btn btn-primary' }, t('hzp.rectify')) : null,
      hz.handling_type === 'deadline' ? h('a', { href: `#/notice/${hz.inspection_id}`, class: 'btn btn-secondary', id: 'notice-link' }, t('paper.openNotice')) : null),
    (hz.status === 'open' || hz.status === 'pending_verification') && session.canVerify() ? supervisorActions(hz, ctx) : null,
    governance,
    h('h2', {}, t('hzp.rectifications')),
    rects.length ? h('ul', { class: 'list', id: 'rectifications' }, ...rects.map(rectCard)) : h('p', { class: 'muted' }, t('hzp.noRect')),
    h('h2', {}, t('hzp.history')),
    h('ol', { class: 'timeline', id: 'history' }, ...(detail.events || []).map((ev) => h('li', { dataset: { kind: ev.kind } },
      h('span', { class: 'muted small' }, when(ev.at)), ' ',
      h('strong', {}, t(`ev.${ev.kind}`) === `ev.${ev.kind}` ? ev.kind : t(`ev.${ev.kind}`)), ' · ', ev.actor,
      ev.from_state && ev.from_state !== ev.to_state ? ` · ${label('status', ev.from_state)} → ${label('status', ev.to_state)}` : ` · ${label('status', ev.to_state)}`,
      ev.reason ? h('div', { class: 'small' }, ev.reason) : null)))));
}

// A major hazard's governance plan (五到位) and formal supervision (挂牌督办): what they are,
// and for supervisors the plan's form and the supervision's next step (lifting: admins).
function governanceSection(hz, detail, ctx) {
  if (hz.level !== 'major') return null;
  const plan = detail.plan;
  const sup = detail.supervision;
  const unresolved = hz.status === 'open' || hz.status === 'pending_verification';
  const canAct = session.canVerify();
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const send = async (path, method, body, button) => {
    button.disabled = true;
    error.hidden = true;
    try {
      await api(`hazards/${hz.id}/${path}`, { method, json: body });
      toast(path === 'plan' ? t('hzp.plan.saved') : t('hzp.sup.done'), 'ok');
      ctx.refresh();
    } catch (err) {
      error.textContent = describe(err, t);
      error.hidden = false;
      button.disabled = false;
    }
  };
  const field = (title, input) => h('label', { class: 'field' }, h('span', { class: 'field-title' }, title), input);

  let planForm = null;
  if (canAct && unresolved) {
    const measures = h('textarea', { name: 'measures', rows: 2, maxlength: 4000 }, plan?.measures || '');
    const funds = h('input', { name: 'funds', type: 'number', min: 0, step: '0.01', inputmode: 'decimal', value: plan?.funds ?? '' });
    const deadline = h('input', { name: 'plan_deadline', type: 'date', value: plan?.deadline || '' });
    const responsible = h('input', { name: 'plan_responsible', maxlength: 200, value: plan?.responsible_person || '' });
    const emergency = h('textarea', { name: 'emergency_plan', rows: 2, maxlength: 4000 }, plan?.emergency_plan || '');
    const save = h('button', { type: 'button', class: 'btn btn-primary', id: 'plan-save' }, t('hzp.plan.save'));
    save.onclick = () => {
      const body = {};
      if (measures.value.trim()) body.measures = measures.value.trim();
      if (funds.value !== '') body.funds = Number(funds.value);
      if (deadline.value) body.deadline = deadline.value;
      if (responsible.value.trim()) body.responsible_person = responsible.value.trim();
      if (emergency.value.trim()) body.emergency_plan = emergency.value.trim();
      if (plan) body.version = plan.version;
      send('plan', 'PUT', body, save);
    };
    planForm = h('details', { class: 'stack', id: 'plan-form' }, h('summary', {}, t(plan ? 'hzp.plan.edit' : 'hzp.plan.new')),
      field(t('hzp.plan.measures'), measures), field(t('hzp.plan.funds'), funds), field(t('hzp.plan.deadline'), deadline),
      field(t('hzp.plan.responsible'), responsible), field(t('hzp.plan.emergency'), emergency), save);
  }

  let supActions = null;
  if (canAct) {
    const reason = h('input', { name: 'supervision_reason', maxlength: 2000 });
    const withReason = (path, button) => {
      if (!reason.value.trim()) {
        error.textContent = t('hzp.sup.needsReason');
        error.hidden = false;
        return;
      }
      send(path, 'POST', { reason: reason.value.trim(), version: sup.version }, button);
    };
    if (!sup && unresolved) {
      const level = h('select', { name: 'supervision_level' }, ...['county', 'city', 'province'].map((l) => h('option', { value: l }, t(`hzp.sup.level.${l}`))));
      const authority = h('input', { name: 'authority', maxlength: 200 });
      const listedOn = h('input', { name: 'listed_on', type: 'date', value: new Date().toISOString().slice(0, 10) });
      const list = h('button', { type: 'button', class: 'btn btn-secondary', id: 'supervision-list' }, t('hzp.sup.list'));
      list.onclick = () => send('supervision', 'POST', { level: level.value, authority: authority.value.trim(), listed_on: listedOn.value }, list);
      supActions = h('details', { class: 'stack', id: 'supervision-form' }, h('summary', {}, t('hzp.sup.list')),
        field(t('hzp.sup.level'), level), field(t('hzp.sup.authority'), authority), field(t('hzp.sup.listedOn'), listedOn), list);
    } else if (sup && sup.state === 'listed' && hz.status === 'closed') {
      const ask = h('button', { type: 'button', class: 'btn btn-secondary', id: 'supervision-lift-request' }, t('hzp.sup.requestLift'));
      ask.onclick = () => withReason('supervision/lift-request', ask);
      supActions = h('div', { class: 'stack' }, field(t('hzp.sup.reason'), reason), ask);
    } else if (sup && sup.state === 'lift_requested' && session.role() === 'admin') {
      const lift = h('button', { type: 'button', class: 'btn btn-good', id: 'supervision-lift' }, t('hzp.sup.lift'));
      lift.onclick = () => withReason('supervision/lift', lift);
      supActions = h('div', { class: 'stack' }, field(t('hzp.sup.reason'), reason), lift);
    }
  }

  return h('section', { class: 'card stack', id: 'governance' },
    h('h2', {}, t('hzp.governance')),
    h('h3', {}, t('hzp.plan'), ' ', plan ? h('span', { class: ['tag', plan.state === 'complete' ? 'status-closed' : 'tag-overdue'], id: 'plan-state' }, t(`hzp.plan.${plan.state}`)) : null),
    plan ? dl([
      [t('hzp.plan.measures'), plan.measures],
      [t('hzp.plan.funds'), plan.funds],
      [t('hzp.plan.deadline'), plan.deadline],
      [t('hzp.plan.responsible'), plan.responsible_person],
      [t('hzp.plan.emergency'), plan.emergency_plan],
    ]) : h('p', { class: 'muted' }, t('hzp.noPlan')),
    planForm,
    h('h3', {}, t('hzp.supervision'), ' ', sup ? h('span', { class: ['tag', sup.state === 'lifted' ? 'status-closed' : 'tag-major'], id: 'supervision-state' }, t(`hzp.sup.state.${sup.state}`)) : null),
    sup ? dl([
      [t('hzp.sup.level'), t(`hzp.sup.level.${sup.level}`)],
      [t('hzp.sup.authority'), sup.authority],
      [t('hzp.sup.listedOn'), sup.listed_on],
    ]) : h('p', { class: 'muted' }, t('hzp.notSupervised')),
    supActions,
    error);
}
