// The office's lists: a table that is a table on a desk and a pile of cards on a phone, a
// pager over the API's cursors (the total asked for only when the filters change, since
// counting a common search over a million hazards is the slow part), and the filters'
// state kept in the page's address so that a reload or a shared link shows the same list.

import { t } from './i18n.js';
import { h, mount, icon, toast } from './dom.js';
import { download } from './api.js';
import { explain } from './problems.js';

/**
 * A table: `columns` are `{ key, title, cell(row) -> Node|string, cls, primary }`. On a
 * phone each row is a card: the primary cell its title, the others labelled lines.
 */
export function dataTable({ id, columns, rows, rowAttrs = () => ({}), empty }) {
  if (rows.length === 0) return h('p', { class: 'muted empty', id }, empty || t('list.empty'));
  return h('div', { class: 'table-wrap grid-wrap' },
    h('table', { class: 'table grid', id },
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.cls }, c.title)))),
      h('tbody', {}, ...rows.map((row) => h('tr', rowAttrs(row),
        ...columns.map((c) => {
          const value = c.cell(row);
          return h('td', { class: [c.cls, c.primary && 'primary'], 'data-label': c.primary ? null : c.title, dataset: { col: c.key } }, value ?? '');
        }))))));
}

/**
 * Pages of a list. `load(cursor, count)` answers the API's page (`items`, `next_cursor`,
 * and `total` when `count`); `draw(items)` makes the rows. `reset()` after a filter
 * changed (asks for the total), `next()` / `prev()` move between pages.
 */
export class Pager {
  constructor({ id, load, draw, unit = 'list.items', pageSize = 50, navIds = '' }) {
    // Several pagers on one page name their buttons apart (`${navIds}-prev`).
    this.ids = navIds ? { prev: `${navIds}-prev`, next: `${navIds}-next`, at: `${navIds}-at` } : { prev: 'page-prev', next: 'page-next', at: 'page-at' };
    this.load = load;
    this.pageSize = pageSize;
    this.draw = draw;
    this.unit = unit;
    this.cursors = [null];
    this.page = 0;
    this.total = null;
    this.next_cursor = null;
    this.seq = 0;
    this.items = [];
    this.box = h('div', { class: 'pager-box', id });
    this.body = h('div', { class: 'pager-body' });
    this.summary = h('p', { class: 'list-summary', id: id ? `${id}-summary` : null, 'aria-live': 'polite' });
    this.nav = h('nav', { class: 'pager', 'aria-label': t('list.pages') });
    mount(this.box, this.summary, this.body, this.nav);
  }

  async reset() {
    this.cursors = [null];
    this.page = 0;
    this.total = null;
    await this.show(true);
  }

  async next() {
    if (!this.next_cursor) return;
    this.cursors[this.page + 1] = this.next_cursor;
    this.page += 1;
    await this.show(false);
  }

  async prev() {
    if (this.page === 0) return;
    this.page -= 1;
    await this.show(false);
  }

  async show(count) {
    const seq = ++this.seq;
    this.box.classList.add('loading');
    this.box.setAttribute('aria-busy', 'true');
    let page;
    try {
      page = await this.load(this.cursors[this.page], count);
    } catch (err) {
      if (seq !== this.seq) return;
      this.box.classList.remove('loading');
      this.box.removeAttribute('aria-busy');
      mount(this.body, h('p', { class: 'error', role: 'alert' }, t('err.load', { e: explain(err) })));
      mount(this.nav);
      this.summary.textContent = '';
      return;
    }
    if (seq !== this.seq) return;
    if (count && typeof page.total === 'number') this.total = page.total;
    this.items = page.items;
    this.next_cursor = page.next_cursor;
    this.box.classList.remove('loading');
    this.box.removeAttribute('aria-busy');
    mount(this.body, await this.draw(page.items));
    if (seq !== this.seq) return;
    this.summary.textContent = this.total === null ? '' : t('list.total', { n: this.total.toLocaleString('zh-CN'), unit: t(this.unit) });
    this.box.dataset.page = String(this.page + 1);
    const pages = this.total === null || this.items.length === 0 ? null : Math.max(1, Math.ceil(this.total / this.pageSize));
    mount(this.nav,
      h('button', { type: 'button', class: 'btn btn-secondary', id: this.ids.prev, disabled: this.page === 0, onclick: () => this.prev() }, icon('back'), t('list.prev')),
      h('span', { class: 'pager-at', id: this.ids.at }, pages ? t('list.pageOf', { n: this.page + 1, m: pages }) : t('list.page', { n: this.page + 1 })),
      h('button', { type: 'button', class: 'btn btn-secondary', id: this.ids.next, disabled: !this.next_cursor, onclick: () => this.next() }, t('list.next'), h('span', { class: 'flip' }, icon('back'))));
    this.nav.hidden = this.page === 0 && !this.next_cursor;
  }
}

/** The query string of a filter state: only the set values, in a fixed order. */
export function query(state, keys) {
  const q = new URLSearchParams();
  for (const k of keys) {
    const v = state[k];
    if (v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0)) q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  return q;
}

/** Writes the filters into the address without leaving the page (no hashchange). */
export function keepInAddress(route, q) {
  const s = q.toString();
  const hash = `#/${route}${s ? `?${s}` : ''}`;
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
}

/** A <select> with a first "all" choice. */
export function selectField({ name, title, value = '', choices, all = t('list.all'), onchange }) {
  const select = h('select', { name, onchange: (e) => onchange(e.target.value) },
    all === null ? null : h('option', { value: '' }, all),
    ...choices.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  return h('label', { class: 'field filter' }, h('span', { class: 'field-title' }, title), select);
}

/** Calls `fn` once typing stops for `ms`. */
export function debounce(fn, ms = 350) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Facts as a definition list, skipping empty values. */
export function facts(pairs, attrs = {}) {
  return h('dl', { class: 'facts', ...attrs }, ...pairs.filter(([, v]) => v !== null && v !== undefined && v !== '').flatMap(([k, v, key]) => [h('dt', {}, k), h('dd', key ? { dataset: { fact: key } } : {}, v)]));
}

/** "Export this list": Excel and CSV buttons for `${base}.xlsx?…` and `${base}.csv?…`. */
export function exportButtons({ base, query: q, id = 'export' }) {
  const run = async (button, format) => {
    button.disabled = true;
    const was = button.lastChild.textContent;
    button.lastChild.textContent = t('list.exporting');
    try {
      const s = q().toString();
      const name = await download(`/api/v1/${base}.${format}${s ? `?${s}` : ''}`, `${base}.${format}`);
      toast(t('dash.downloaded', { f: name }), 'ok');
    } catch (err) {
      toast(explain(err), 'error');
    } finally {
      button.lastChild.textContent = was;
      button.disabled = false;
    }
  };
  const xlsx = h('button', { type: 'button', class: 'btn btn-secondary', id: `${id}-xlsx` }, icon('download'), h('span', {}, t('list.exportXlsx')));
  const csv = h('button', { type: 'button', class: 'btn btn-secondary', id: `${id}-csv` }, icon('download'), h('span', {}, t('list.exportCsv')));
  xlsx.onclick = () => run(xlsx, 'xlsx');
  csv.onclick = () => run(csv, 'csv');
  return h('div', { class: 'row export', role: 'group', 'aria-label': t('list.export') }, xlsx, csv);
}
