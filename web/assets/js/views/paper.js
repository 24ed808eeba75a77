// The office's papers, laid out for A4 (see paper.css): #/notice/<inspection id> the
// 安全隐患整改通知书 and #/recheck/<rectification id> the 整改复查意见书. Each shows the
// document as issued (its snapshot); if none is issued yet, whoever may issue it gets the
// button that does. 打印 prints it (or saves it as PDF) through the browser.

import { t, label, lang } from '../i18n.js';
import { h, mount, toast, icon } from '../dom.js';
import * as session from '../session.js';
import { api, ApiError, describe } from '../api.js';
import '../i18n-paper.js';

/** 2026-11-20 → 2026年11月20日 (or the ISO date under EN). */
function longDate(iso) {
  if (!iso) return '';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return lang() === 'en' ? iso.slice(0, 10) : `${y}年${m}月${d}日`;
}

/** A moment's date in the office's zone (the pages run there), as a long date. */
function longDateOf(moment) {
  const d = new Date(moment);
  const iso = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return longDate(iso);
}

function back() {
  return h('a', { href: '#/dashboard', class: 'btn btn-link', onclick: (e) => { if (history.length > 1) { e.preventDefault(); history.back(); } } }, icon('back'), t('paper.back'));
}

function actions(...extra) {
  return h('div', { class: 'paper-actions row' }, back(), ...extra);
}

function printButton() {
  return h('button', { type: 'button', class: 'btn btn-primary', id: 'paper-print', onclick: () => window.print() }, t('paper.print'));
}

function head(office, title, number) {
  return [
    h('p', { class: 'paper-office' }, office || t('paper.office')),
    h('h1', { class: 'paper-title' }, title),
    h('p', { class: 'paper-number', id: 'paper-number' }, number),
  ];
}

function signature(who, name) {
  return h('div', { class: 'paper-sign' },
    h('div', {}, who, '：', h('span', { class: 'paper-line' }, name || '')),
    h('div', {}, t('paper.date')));
}

function noticePaper(n) {
  const s = n.snapshot;
  const who = s.inspectors.join(lang() === 'en' ? ', ' : '、');
  const rows = s.deadline_hazards.map((hz, i) => h('tr', { dataset: { hazardId: hz.id } },
    h('td', { class: 'c' }, String(i + 1)),
    h('td', {}, hz.description, hz.level === 'major' ? h('strong', {}, `（${label('level', 'major')}）`) : null),
    h('td', { class: 'c' }, label('category', hz.category)),
    h('td', {}, hz.legal_basis || ''),
    h('td', { class: 'c nowrap' }, longDate(hz.deadline))));
  const spot = s.on_the_spot_hazards.map((hz, i) => h('tr', { dataset: { hazardId: hz.id } },
    h('td', { class: 'c' }, String(i + 1)),
    h('td', {}, hz.description),
    h('td', {}, hz.note ? `${t('paper.spotDone')}：${hz.note}` : t('paper.spotDone'))));
  return h('article', { class: 'paper', id: 'notice-paper' },
    ...head(s.office_name, t('paper.notice'), n.number),
    h('p', { class: 'paper-to' }, t('paper.to', { u: s.unit.name })),
    h('p', { class: 'paper-text' }, t('paper.noticeBody', { d: longDate(s.inspected_on), who, a: s.unit.address })),
    h('table', { class: 'paper-table', id: 'notice-hazards' },
      h('colgroup', {}, h('col', { class: 'w-no' }), h('col', { class: 'w-desc' }), h('col', { class: 'w-cat' }), h('col', { class: 'w-basis' }), h('col', { class: 'w-date' })),
      h('thead', {}, h('tr', {}, ...['no', 'description', 'category', 'basis', 'deadline'].map((c) => h('th', {}, t(`paper.col.${c}`))))),
      h('tbody', {}, ...rows)),
    spot.length ? h('p', { class: 'paper-text' }, t('paper.spotTitle')) : null,
    spot.length ? h('table', { class: 'paper-table', id: 'notice-spot' },
      h('colgroup', {}, h('col', { class: 'w-no' }), h('col', { class: 'w-desc' }), h('col', { class: 'w-handled' })),
      h('thead', {}, h('tr', {}, ...['no', 'description', 'handled'].map((c) => h('th', {}, t(`paper.col.${c}`))))),
      h('tbody', {}, ...spot)) : null,
    h('div', { class: 'paper-signs' },
      signature(t('paper.signInspectors')),
      signature(t('paper.signUnit'))),
    h('div', { class: 'paper-seal' },
      h('p', {}, `${s.office_name || ''}${t('paper.stamp')}`),
      h('p', {}, longDateOf(n.issued_at)),
      s.office_phone ? h('p', {}, t('paper.contact', { p: s.office_phone })) : null),
    h('p', { class: 'paper-foot' }, t('paper.copies')));
}

function recheckPaper(o) {
  const s = o.snapshot;
  const hz = s.hazard;
  const pairs = [
    [t('paper.hazard'), `${hz.description}（${label('category', hz.category)}，${label('level', hz.level)}${hz.deadline ? `，${t('paper.col.deadline')} ${longDate(hz.deadline)}` : ''}）`],
    [t('paper.measures'), s.measures],
    [t('paper.responsible'), s.responsible_person],
    [t('paper.completed'), longDateOf(s.completed_at)],
    [t('paper.cost'), s.cost === null || s.cost === undefined ? null : t('paper.yuan', { n: s.cost.toFixed(2) })],
  ].filter(([, v]) => v);
  return h('article', { class: 'paper', id: 'recheck-paper' },
    ...head(s.office_name, t('paper.recheck'), o.number),
    h('p', { class: 'paper-to' }, t('paper.to', { u: s.unit.name })),
    h('p', { class: 'paper-text' }, t('paper.recheckBody', {
      d: longDateOf(s.found_at),
      n: s.notice_number ? t('paper.byNotice', { n: s.notice_number }) : '',
      v: longDate(s.verified_on),
    })),
    h('table', { class: 'paper-table paper-facts', id: 'recheck-facts' },
      h('colgroup', {}, h('col', { class: 'w-key' }), h('col', {})),
      h('tbody', {},
        h('tr', {}, h('th', {}, t('hzp.unit')), h('td', {}, `${s.unit.name}　${t('paper.unitAddress', { a: s.unit.address })}`)),
        ...pairs.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v))),
        h('tr', { class: 'paper-opinion' }, h('th', {}, t('paper.opinion')), h('td', { id: 'recheck-outcome', dataset: { outcome: s.outcome } },
          h('p', {}, s.outcome === 'pass' ? t('paper.pass') : t('paper.reject')),
          s.comment ? h('p', {}, t('paper.comment', { c: s.comment })) : null,
          h('p', {}, t('paper.verifier', { n: s.verified_by_name })))))),
    h('div', { class: 'paper-signs' },
      signature(t('paper.signVerifier')),
      signature(t('paper.signUnit'))),
    h('div', { class: 'paper-seal' },
      h('p', {}, `${s.office_name || ''}${t('paper.stamp')}`),
      h('p', {}, longDateOf(o.issued_at)),
      s.office_phone ? h('p', {}, t('paper.contact', { p: s.office_phone })) : null),
    h('p', { class: 'paper-foot' }, t('paper.copies')));
}

/** Why a paper cannot be issued, as a sentence: the two refusals of its own, else the usual. */
function refusal(err) {
  if (err instanceof ApiError) {
    const codes = (err.problem.errors || []).map((e) => e.code);
    if (err.status === 422 && codes.includes('no_deadline_hazard')) return t('paper.noDeadlineHazard');
    if (err.status === 409 && /not verified/.test(err.problem.detail || '')) return t('paper.notVerified');
  }
  return describe(err);
}

/**
 * One paper's page: GET it; if none is issued, the note and (for who may) the button
 * that issues it; then the paper with 打印.
 */
async function paperPage(root, ctx, { path, none, issue, may, render, id }) {
  mount(root, h('p', { class: 'muted' }, t('paper.loading')));
  let doc = null;
  try {
    doc = await api(path);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404 && err.problem && /notice|opinion/.test(err.problem.detail || ''))) {
      if (!ctx.current()) return;
      mount(root, h('div', { class: 'stack' }, actions(), h('p', { class: 'error', role: 'alert' }, describe(err))));
      return;
    }
  }
  if (!ctx.current()) return;
  if (doc) {
    mount(root, h('div', { class: 'paper-page', id }, actions(printButton()), render(doc)));
    return;
  }
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const button = h('button', { type: 'button', class: 'btn btn-primary', id: `${id}-issue` }, issue);
  button.onclick = async () => {
    button.disabled = true;
    try {
      const issued = await api(path, { method: 'POST' });
      toast(t('paper.issued', { n: issued.number }), 'ok');
      ctx.refresh();
    } catch (err) {
      error.textContent = refusal(err);
      error.hidden = false;
      button.disabled = false;
    }
  };
  mount(root, h('div', { class: 'stack paper-page', id },
    actions(),
    h('p', { class: 'notice' }, none),
    may ? button : h('p', { class: 'muted' }, t('paper.cannotIssue')),
    error));
}

export async function noticeView(root, ctx) {
  const id = ctx.args[0];
  await paperPage(root, ctx, {
    id: 'notice-page',
    path: `inspections/${id}/notice`,
    none: t('paper.noticeNone'),
    issue: t('paper.issueNotice'),
    may: session.canRecord(),
    render: noticePaper,
  });
}

export async function recheckView(root, ctx) {
  const id = ctx.args[0];
  await paperPage(root, ctx, {
    id: 'recheck-page',
    path: `rectifications/${id}/recheck-opinion`,
    none: t('paper.recheckNone'),
    issue: t('paper.issueRecheck'),
    may: session.canVerify(),
    render: recheckPaper,
  });
}
