// Importing a spreadsheet of units (supervisors, admins) or communities (admins): the file
// is checked first (a dry run: nothing is written), its row errors shown in a table, and
// only a click on "confirm" imports it — in one go, or without the bad rows when asked.

import { t } from '../i18n.js';
import { h, mount, toast, icon } from '../dom.js';
import * as session from '../session.js';
import { call, download } from '../api.js';
import { uuidv7 } from '../ids.js';
import * as lookup from '../lookup.js';
import { dataTable } from '../lists.js';
import { explain, rowSentence } from '../problems.js';
import '../i18n-office.js';

const SHOWN = 500;

function allowed(kind) {
  return kind === 'communities' ? session.role() === 'admin' : ['supervisor', 'admin'].includes(session.role());
}

async function send(kind, file, { dryRun, partial = false, id = null }) {
  const form = new FormData();
  form.append('file', file, file.name);
  form.append('dry_run', dryRun ? 'true' : 'false');
  if (partial) form.append('partial', 'true');
  if (id) form.append('id', id);
  const res = await call(`imports/${kind}`, { method: 'POST', body: form });
  return res.json();
}

export async function importView(root, ctx, kind = 'units') {
  const back = kind === 'units' ? '#/units' : '#/admin/communities';
  if (!allowed(kind)) {
    mount(root, h('div', { class: 'stack' }, h('p', { class: 'error' }, t('pr.forbidden')), h('a', { href: back, class: 'btn btn-secondary' }, t('common.back'))));
    return;
  }
  const k = kind === 'units' ? 'imp.units' : 'imp.communities';
  let file = null;
  let report = null;
  const result = h('div', { class: 'stack', id: 'import-report' });
  const status = h('p', { class: 'muted', id: 'import-status', 'aria-live': 'polite' });
  const input = h('input', { type: 'file', name: 'file', id: 'import-file', class: 'file-hidden', accept: '.xlsx,.csv,.txt,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv' });
  const chooseLabel = h('span', {}, t('imp.choose'));
  const chooser = h('label', { class: 'btn btn-primary file-button', for: 'import-file' }, icon('upload'), chooseLabel, input);

  const check = async () => {
    report = null;
    mount(result);
    status.textContent = t('imp.checking', { f: file.name });
    chooser.classList.add('disabled');
    try {
      report = await send(kind, file, { dryRun: true });
    } catch (err) {
      status.textContent = '';
      mount(result, h('p', { class: 'error', role: 'alert', id: 'import-error' }, t('imp.fileError', { f: file.name, e: explain(err, { file: t('imp.file') }) })));
      return;
    } finally {
      chooser.classList.remove('disabled');
    }
    if (!ctx.current()) return;
    status.textContent = '';
    preview();
  };

  const preview = () => {
    const bad = new Set(report.errors.map((e) => e.row)).size;
    const good = report.rows - bad;
    const writes = report.created + report.updated;
    const partial = h('input', { type: 'checkbox', name: 'partial', id: 'import-partial' });
    const confirm = h('button', { type: 'button', class: 'btn btn-primary', id: 'import-confirm' }, icon('check'), t('imp.confirm'));
    const why = h('p', { class: 'muted small', id: 'import-why' });
    const update = () => {
      const blocked = (bad > 0 && !partial.checked) || writes === 0;
      confirm.disabled = blocked;
      why.textContent = writes === 0 ? t('imp.nothing') : bad > 0 && !partial.checked ? t('imp.fixFirst') : t('imp.willWrite', { c: report.created, u: report.updated });
    };
    partial.onchange = update;
    confirm.onclick = async () => {
      confirm.disabled = true;
      partial.disabled = true;
      status.textContent = t('imp.importing');
      try {
        const done = await send(kind, file, { dryRun: false, partial: partial.checked, id: uuidv7() });
        lookup.forget(kind === 'units' ? 'units' : 'communities');
        status.textContent = '';
        toast(t('imp.doneToast', { c: done.created, u: done.updated }), 'ok');
        finished(done);
      } catch (err) {
        status.textContent = '';
        confirm.disabled = false;
        partial.disabled = false;
        why.textContent = explain(err, { file: t('imp.file') });
        why.className = 'error';
        why.setAttribute('role', 'alert');
      }
    };
    const errors = report.errors.slice(0, SHOWN);
    mount(result,
      h('section', { class: ['card', 'stack', bad > 0 ? 'has-errors' : 'no-errors'], id: 'import-preview', dataset: { rows: String(report.rows), errors: String(bad) } },
        h('h2', {}, t('imp.previewTitle', { f: file.name })),
        h('p', { class: 'notice-line' }, t('imp.dryNote')),
        h('div', { class: 'stats' },
          stat(report.rows, 'imp.rows'),
          stat(report.created, 'imp.created', 'good'),
          stat(report.updated, 'imp.updated'),
          stat(report.unchanged, 'imp.unchanged'),
          stat(bad, 'imp.badRows', bad > 0 ? 'bad' : '')),
        report.ignored_columns.length ? h('p', { class: 'muted small', id: 'import-ignored' }, t('imp.ignored', { c: report.ignored_columns.join('、') })) : null,
        bad > 0 ? h('p', { class: 'error', id: 'import-bad' }, t('imp.bad', { n: bad })) : h('p', { class: 'ok-line', id: 'import-ok' }, t('imp.allGood', { n: report.rows })),
        bad > 0 ? dataTable({
          id: 'import-errors',
          rows: errors,
          rowAttrs: (e) => ({ dataset: { row: String(e.row) } }),
          columns: [
            { key: 'row', title: t('imp.row'), cls: 'nowrap', cell: (e) => t('imp.rowN', { n: e.row }) },
            { key: 'column', title: t('imp.column'), cls: 'nowrap', cell: (e) => e.column },
            { key: 'problem', title: t('imp.problem'), primary: true, cls: 'wrap', cell: (e) => rowSentence(e) },
          ],
        }) : null,
        report.errors.length > SHOWN ? h('p', { class: 'muted small' }, t('imp.more', { n: report.errors.length - SHOWN })) : null,
        bad > 0 && good > 0 ? h('label', { class: 'toggle' }, partial, h('span', {}, t('imp.partial', { n: good }))) : null,
        why,
        h('div', { class: 'row' }, confirm)));
    update();
    chooseLabel.textContent = t('imp.chooseAgain');
  };

  const finished = (done) => {
    mount(result,
      h('section', { class: 'card stack', id: 'import-done', dataset: { created: String(done.created), updated: String(done.updated), unchanged: String(done.unchanged) } },
        h('h2', {}, t('imp.doneTitle')),
        h('p', {}, t('imp.done', { c: done.created, u: done.updated, s: done.unchanged })),
        done.errors.length ? h('p', { class: 'muted' }, t('imp.skipped', { n: new Set(done.errors.map((e) => e.row)).size })) : null,
        h('div', { class: 'row' },
          h('a', { href: back, class: 'btn btn-primary', id: 'import-back' }, t(kind === 'units' ? 'imp.seeUnits' : 'imp.seeCommunities')))));
    file = null;
    input.value = '';
    chooseLabel.textContent = t('imp.chooseAnother');
  };

  input.addEventListener('change', () => {
    if (!input.files || input.files.length === 0) return;
    [file] = input.files;
    input.value = '';
    check();
  });

  const template = kind === 'units' ? h('button', {
    type: 'button',
    class: 'btn btn-secondary',
    id: 'import-template',
    onclick: async (e) => {
      const b = e.currentTarget;
      b.disabled = true;
      try {
        const name = await download('/api/v1/imports/units/template.xlsx', 'template.xlsx');
        toast(t('dash.downloaded', { f: name }), 'ok');
      } catch (err) {
        toast(explain(err), 'error');
      } finally {
        b.disabled = false;
      }
    },
  }, icon('download'), t('imp.template')) : null;

  mount(root, h('div', { class: 'stack page-form-wide', id: 'import-page', dataset: { kind } },
    h('a', { href: back, class: 'btn btn-link' }, icon('back'), t('common.back')),
    h('h1', {}, t(`${k}.title`)),
    h('section', { class: 'card stack' },
      h('h2', {}, t('imp.step1')),
      h('p', {}, t(`${k}.columns`)),
      h('p', { class: 'muted small' }, t(`${k}.rules`)),
      template ? h('div', { class: 'row' }, template) : null),
    h('section', { class: 'card stack' },
      h('h2', {}, t('imp.step2')),
      h('p', { class: 'muted small' }, t('imp.formats')),
      h('div', { class: 'row' }, chooser),
      status),
    result));
}

function stat(n, key, cls) {
  return h('div', { class: ['stat', cls], dataset: { stat: key.replace('imp.', '') } }, h('span', { class: 'stat-value' }, String(n)), h('span', { class: 'stat-label' }, t(key)));
}
