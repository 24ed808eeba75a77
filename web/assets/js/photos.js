// Photos from the camera: made smaller on the phone when large (a 12-megapixel JPEG
// becomes ~1920 px, well under the upload limit and quicker on a weak signal), then stored
// in the outbox with their client id at once.

import { h, icon } from './dom.js';
import * as outbox from './outbox.js';
import { photoUrl } from './api.js';
import { t } from './i18n.js';

const MAX_SIDE = 1920;
/** The most photos one record cites: the server refuses more. */
export const MAX_PHOTOS = 20;
const KEEP_BELOW_BYTES = 1_500_000;
const local = new Map(); // id -> object URL of the blob taken on this page

async function shrink(file) {
  const plain = ['image/jpeg', 'image/png', 'image/webp'].includes(file.type);
  if (plain && file.size <= KEEP_BELOW_BYTES) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close?.();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
    if (blob && blob.size < file.size) return new File([blob], (file.name || 'photo').replace(/\.\w+$/, '') + '.jpg', { type: 'image/jpeg' });
  } catch {
    // Not decodable here (e.g. HEIC on some browsers): the server takes it as it is.
  }
  return file;
}

/** Stores the chosen files (at most `room` of them) in the outbox; answers [{id, name}]. */
export async function takePhotos(fileList, room = MAX_PHOTOS) {
  const taken = [];
  for (const file of Array.from(fileList || []).slice(0, Math.max(0, room))) {
    const ready = await shrink(file);
    const id = await outbox.addPhoto(ready, ready.name || file.name);
    local.set(id, URL.createObjectURL(ready));
    taken.push({ id, name: ready.name || file.name });
  }
  return taken;
}

/** An <img> for a photo: this page's copy, the outbox's, or the server's. */
export function thumb(id, { alt = '', onclick } = {}) {
  const img = h('img', { class: 'thumb', alt, loading: 'lazy', onclick });
  (async () => {
    if (local.has(id)) return local.get(id);
    const item = await outbox.getItem(id);
    if (item && item.blob) {
      local.set(id, URL.createObjectURL(item.blob));
      return local.get(id);
    }
    return photoUrl(id);
  })()
    .then((url) => { img.src = url; })
    .catch(() => { img.alt = t('photo.unavailable'); img.classList.add('missing'); });
  return img;
}

/**
 * The photo field of a form: a camera button, a gallery button, the thumbnails with a
 * remove button. `photos` is the array it edits; `onchange` is called after each change.
 */
export function photoField(photos, onchange, { name = 'photos' } = {}) {
  const list = h('div', { class: 'thumbs' });
  const buttons = h('div', { class: 'row' });
  const full = h('p', { class: 'muted small photo-limit', hidden: true }, t('photo.limit'));
  const render = () => {
    // At the limit the buttons go and a line says why.
    const atLimit = photos.length >= MAX_PHOTOS;
    buttons.hidden = atLimit;
    full.hidden = !atLimit;
    list.replaceChildren(
      ...photos.map((p) =>
        h('div', { class: 'thumb-box', dataset: { photoId: p.id } },
          thumb(p.id, { alt: p.name }),
          h('button', {
            type: 'button',
            class: 'thumb-remove',
            'aria-label': t('photo.remove'),
            onclick: async () => {
              photos.splice(photos.indexOf(p), 1);
              await outbox.dropPhoto(p.id);
              render();
              onchange();
            },
          }, '×'),
        ),
      ),
    );
  };
  const add = async (input) => {
    const taken = await takePhotos(input.files, MAX_PHOTOS - photos.length);
    input.value = '';
    photos.push(...taken);
    render();
    onchange();
  };
  const camera = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'file-hidden', name: `${name}-camera`, onchange: (e) => add(e.target) });
  const gallery = h('input', { type: 'file', accept: 'image/*', multiple: true, class: 'file-hidden', name: `${name}-gallery`, onchange: (e) => add(e.target) });
  buttons.append(
    h('label', { class: 'btn btn-secondary' }, icon('camera'), t('photo.camera'), camera),
    h('label', { class: 'btn btn-secondary' }, icon('image'), t('photo.gallery'), gallery),
  );
  render();
  return h('div', { class: 'photo-field' }, list, buttons, full);
}

/**
 * Photos full size, over the page: previous and next (buttons, arrow keys, a swipe),
 * zoom (a button or a double tap: twice the size, moved by scrolling), close (×, Esc).
 */
export function openViewer(ids, start = 0) {
  if (!ids || ids.length === 0) return;
  let index = Math.max(0, Math.min(start, ids.length - 1));
  let zoomed = false;
  const img = h('img', { class: 'viewer-img', alt: '' });
  const frame = h('div', { class: 'viewer-frame' }, img);
  const count = h('span', { class: 'viewer-count', id: 'viewer-count' });
  const zoom = h('button', { type: 'button', class: 'btn-top viewer-zoom', id: 'viewer-zoom', 'aria-pressed': 'false' }, t('photo.zoomIn'));
  const prev = h('button', { type: 'button', class: 'viewer-nav viewer-prev', id: 'viewer-prev', 'aria-label': t('photo.prev') }, '‹');
  const next = h('button', { type: 'button', class: 'viewer-nav viewer-next', id: 'viewer-next', 'aria-label': t('photo.next') }, '›');
  const close = h('button', { type: 'button', class: 'btn-top viewer-close', id: 'viewer-close', 'aria-label': t('photo.close') }, '×');
  const box = h('div', { class: 'viewer', id: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-label': t('hzp.photos'), tabindex: '-1' },
    h('div', { class: 'viewer-bar' }, count, h('span', { class: 'viewer-spacer' }), zoom, close),
    frame, prev, next);
  const setZoom = (on) => {
    zoomed = on;
    box.classList.toggle('zoomed', on);
    zoom.setAttribute('aria-pressed', String(on));
    zoom.textContent = on ? t('photo.zoomOut') : t('photo.zoomIn');
  };
  const show = async () => {
    setZoom(false);
    count.textContent = `${index + 1} / ${ids.length}`;
    prev.disabled = index === 0;
    next.disabled = index === ids.length - 1;
    img.removeAttribute('src');
    img.dataset.photoId = ids[index];
    try {
      const item = await outbox.getItem(ids[index]);
      const url = local.get(ids[index]) || (item && item.blob ? URL.createObjectURL(item.blob) : await photoUrl(ids[index]));
      if (img.dataset.photoId === ids[index]) img.src = url;
    } catch {
      img.alt = t('photo.unavailable');
    }
  };
  const go = (d) => {
    const to = index + d;
    if (to >= 0 && to < ids.length) { index = to; show(); }
  };
  const onKey = (e) => {
    if (e.key === 'Escape') done();
    else if (e.key === 'ArrowLeft') go(-1);
    else if (e.key === 'ArrowRight') go(1);
  };
  function done() {
    document.removeEventListener('keydown', onKey);
    window.removeEventListener('hashchange', done);
    box.remove();
  }
  prev.onclick = () => go(-1);
  next.onclick = () => go(1);
  close.onclick = done;
  zoom.onclick = () => setZoom(!zoomed);
  img.addEventListener('dblclick', () => setZoom(!zoomed));
  let touchX = null;
  frame.addEventListener('touchstart', (e) => { touchX = e.touches.length === 1 && !zoomed ? e.touches[0].clientX : null; }, { passive: true });
  frame.addEventListener('touchend', (e) => {
    if (touchX === null) return;
    const dx = e.changedTouches[0].clientX - touchX;
    if (Math.abs(dx) > 50) go(dx < 0 ? 1 : -1);
    touchX = null;
  });
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', done);
  document.body.append(box);
  box.focus();
  show();
}

/** Thumbnails that open the viewer. */
export function gallery(ids) {
  if (!ids || ids.length === 0) return null;
  return h('div', { class: 'thumbs' }, ...ids.map((id, i) => h('button', {
    type: 'button',
    class: 'thumb-box thumb-open',
    dataset: { photoId: id },
    'aria-label': t('photo.open', { n: i + 1 }),
    onclick: () => openViewer(ids, i),
  }, thumb(id, { alt: '' }))));
}
