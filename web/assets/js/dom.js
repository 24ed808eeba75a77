// Small DOM helpers: every text goes in as text, never as HTML.

const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'multiple', 'required', 'readOnly']);

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

/** An HTML element: h('button', {class: 'btn', onclick}, 'text', child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element. */
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function mount(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

let toastTimer = null;
/** A short message at the bottom of the screen. */
export function toast(text, kind = 'info') {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = text;
  el.className = `toast toast-${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
}

/** Local date `YYYY-MM-DD` of a Date. */
export function localDate(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Value for an <input type="datetime-local"> from a Date. */
export function localDateTime(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${localDate(d)}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** RFC 3339 with the device's offset, from an <input type="datetime-local"> value. */
export function rfc3339(localValue) {
  const d = new Date(localValue);
  if (Number.isNaN(d.getTime())) return null;
  const p = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${localDate(d)}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${sign}${p(off / 60)}:${p(off % 60)}`;
}

export function addDays(dateStr, days) {
  const d = new Date(`${dateStr}T12:00:00`);
  d.setDate(d.getDate() + days);
  return localDate(d);
}

const ICONS = {
  inspect: ['M9 3h6v4H9z', 'M7 5H5v16h14V5h-2', 'M8 12h8', 'M8 16h5'],
  rectify: ['M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z'],
  outbox: ['M12 3v11', 'M7 8l5-5 5 5', 'M4 14v6h16v-6'],
  dashboard: ['M4 20h16', 'M7 17v-6', 'M12 17V5', 'M17 17v-9'],
  camera: ['M4 8h3l2-3h6l2 3h3v11H4z', 'M12 16.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z'],
  image: ['M4 5h16v14H4z', 'M4 16l5-5 4 4 3-3 4 4', 'M15.5 11a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z'],
  trash: ['M5 7h14', 'M10 4h4', 'M7 7l1 13h8l1-13', 'M10 11v6', 'M14 11v6'],
  download: ['M12 4v11', 'M7 10l5 5 5-5', 'M5 20h14'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  undo: ['M9 6l-5 5 5 5', 'M4 11h10a5 5 0 0 1 0 10h-3'],
  back: ['M15 5l-7 7 7 7'],
  plus: ['M12 5v14', 'M5 12h14'],
  units: ['M4 21V5l8-2v18', 'M12 8l8 2v11', 'M3 21h18', 'M7 8h2', 'M7 12h2', 'M7 16h2', 'M15 13h2', 'M15 17h2'],
  ledger: ['M5 3h14v18H5z', 'M9 8h7', 'M9 12h7', 'M9 16h4', 'M7 8h.01', 'M7 12h.01', 'M7 16h.01'],
  admin: ['M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M2 21v-1a6 6 0 0 1 10-4.5', 'M18 14v2', 'M18 20v2', 'M14.5 16l1.7 1', 'M19.8 19l1.7 1', 'M14.5 20l1.7-1', 'M19.8 17l1.7-1', 'M18 19.5a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3z'],
  more: ['M5 12h.01', 'M12 12h.01', 'M19 12h.01'],
  upload: ['M12 16V4', 'M7 9l5-5 5 5', 'M5 20h14'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M14 6l4 4'],
  search: ['M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z', 'M20 20l-4-4'],
};

/** A line icon (24×24, drawn in the text colour). */
export function icon(name, size = 20) {
  return s('svg', { class: 'icon', viewBox: '0 0 24 24', width: size, height: size, 'aria-hidden': 'true', fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' },
    ...(ICONS[name] || []).map((d) => s('path', { d })));
}
