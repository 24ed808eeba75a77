// The outbox: every photo and every submission is stored here (IndexedDB) with its client
// id the moment it is made, and leaves only when the server has acknowledged it (201 for
// the first delivery, 200 for a replay of the same id). The server stores a record once
// per id, so resending after a lost answer never makes a second one.
//
// Sending runs in the page, not in the service worker: one sender, visible progress, and
// the browser tests can route the exact requests the page makes. Order: photos first,
// then a submission once every photo it cites has been acknowledged. Failures:
//   - no answer, 5xx, 408, 429: retried with exponential backoff (2 s … 5 min, jitter;
//     Retry-After when given), at once when the network comes back or on "send now";
//   - 401: the login is over; everything stays, the page asks to log in again;
//   - 403 password-change-required: likewise, everything stays until the password is
//     changed (the page asks for it), then sending resumes;
//   - other 4xx (a rejected photo, a refused record): kept and shown with the reason, for
//     the user to discard; nothing is dropped silently.

import { BASE, call, ApiError, NetworkError, isPasswordChangeRequired } from './api.js';
import * as session from './session.js';
import * as store from './store.js';
import { uuidv7 } from './ids.js';
import { explain } from './problems.js';

export const events = new EventTarget();
const BACKOFF_START_MS = 2000;
const BACKOFF_MAX_MS = 5 * 60 * 1000;

let running = null;
let again = false;
let againForce = false;
let timer = null;
let lastRun = { at: null, ok: true, error: null };

function changed() {
  events.dispatchEvent(new Event('change'));
}

function owner() {
  return session.user()?.username || '';
}

let seq = 0;
function nextSeq() {
  seq += 1;
  return Date.now() * 1000 + (seq % 1000);
}

/** Queues an item: its own fields, plus its owner, place in line and sending state. */
async function enqueue(fields) {
  const item = {
    ...fields,
    owner: owner(),
    seq: nextSeq(),
    created_at: new Date().toISOString(),
    attempts: 0,
    next_at: 0,
    last_error: null,
    failed: false,
  };
  await store.put('outbox', item);
  changed();
  kick();
  return item.id;
}

/** Stores a photo at once, with its client id; answers the id. */
export async function addPhoto(blob, fileName) {
  return enqueue({ id: uuidv7(), kind: 'photo', blob, file_name: fileName || 'photo.jpg', size: blob.size });
}

/**
 * Stores a submission: `path` is the API path it is POSTed to, `body` the exact JSON
 * (with its client `id`), `needs` the photo ids it cites, `label` what the list shows.
 */
export async function addSubmission({ kind, path, body, needs = [], label = '', meta = {} }) {
  return enqueue({ id: body.id, kind, path, body, needs, label, meta });
}

export async function items() {
  const list = await store.all('outbox');
  return list.sort((a, b) => a.seq - b.seq);
}

export async function getItem(id) {
  return store.get('outbox', id);
}

/** Removes a photo that was taken but is no longer wanted (only if it is still waiting). */
export async function dropPhoto(id) {
  await store.del('outbox', id);
  changed();
}

/**
 * Discards an item the server refused. A discarded photo is also taken out of the
 * submissions that cite it (they were never sent: they wait for their photos).
 */
export async function discard(id) {
  const item = await store.get('outbox', id);
  if (!item) return;
  await store.del('outbox', id);
  if (item.kind === 'photo') {
    for (const other of await items()) {
      if (other.kind !== 'photo' && other.needs.includes(id)) {
        other.needs = other.needs.filter((x) => x !== id);
        stripPhoto(other.body, id);
        await store.put('outbox', other);
      }
    }
  }
  changed();
  kick();
}

function stripPhoto(body, id) {
  const without = (list) => (Array.isArray(list) ? list.filter((x) => x !== id) : list);
  if (body.attachment_ids) body.attachment_ids = without(body.attachment_ids);
  if (body.evidence_ids) body.evidence_ids = without(body.evidence_ids);
  for (const hz of body.hazards || []) if (hz.photo_ids) hz.photo_ids = without(hz.photo_ids);
}

export function status() {
  return { ...lastRun, running: running !== null };
}

function backoff(attempts) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Sends what is due (everything when `force`). Only one run at a time. */
export function flush({ force = false } = {}) {
  if (running) {
    again = true;
    againForce = againForce || force;
    return running;
  }
  // One sender across the app's open tabs too (resending is safe, but wasteful).
  const locked = navigator.locks ? navigator.locks.request('safetrace-outbox', () => run(force)) : run(force);
  running = locked
    .catch((err) => {
      lastRun = { at: new Date().toISOString(), ok: false, error: String(err) };
    })
    .finally(() => {
      running = null;
      changed();
      if (again) {
        const forced = againForce;
        again = false;
        againForce = false;
        flush({ force: forced });
      } else {
        schedule();
      }
    });
  changed();
  return running;
}

/** Soon, without waiting for the caller. */
export function kick() {
  setTimeout(() => flush(), 0);
}

function mayRun() {
  return session.loggedIn() && !session.mustChangePassword();
}

async function run(force) {
  if (!mayRun()) return;
  const me = owner();
  const all = (await items()).filter((i) => i.owner === me);
  const waitingIds = new Set(all.map((i) => i.id));
  const ordered = [...all.filter((i) => i.kind === 'photo'), ...all.filter((i) => i.kind !== 'photo')];
  for (const item of ordered) {
    if (item.failed) continue;
    if (!force && item.next_at > Date.now()) continue;
    if (item.kind !== 'photo' && item.needs.some((id) => waitingIds.has(id))) continue;
    const outcome = await sendOne(item);
    if (outcome === 'acknowledged') {
      waitingIds.delete(item.id);
    } else if (outcome === 'stop') {
      return;
    }
  }
  lastRun = { at: new Date().toISOString(), ok: true, error: null };
}

async function sendOne(item) {
  try {
    let res;
    if (item.kind === 'photo') {
      const form = new FormData();
      form.append('id', item.id);
      form.append('file', item.blob, item.file_name);
      res = await call(`${BASE}/attachments`, { method: 'POST', body: form });
    } else {
      res = await call(item.path, { method: 'POST', json: item.body });
    }
    // 201: stored now; 200: stored before (an identical replay). Either way: on the server.
    await store.del('outbox', item.id);
    remember(item, res.status);
    changed();
    return 'acknowledged';
  } catch (err) {
    const now = Date.now();
    item.attempts += 1;
    if (err instanceof NetworkError || (err instanceof ApiError && (err.status >= 500 || err.status === 408 || err.status === 429))) {
      const wait = err.retryAfter ? err.retryAfter * 1000 : backoff(item.attempts);
      item.next_at = now + wait;
      item.last_error = err instanceof NetworkError ? 'network' : explain(err);
      await store.put('outbox', item);
      lastRun = { at: new Date(now).toISOString(), ok: false, error: item.last_error };
      changed();
      return 'stop';
    }
    if (err instanceof ApiError && err.status === 401) {
      // The login ran out: keep everything, ask to log in again (session.expire() was called).
      item.attempts -= 1;
      lastRun = { at: new Date(now).toISOString(), ok: false, error: 'unauthorized' };
      changed();
      return 'stop';
    }
    if (isPasswordChangeRequired(err)) {
      // Nothing is accepted until the password is changed: keep everything, as for a 401
      // (session.requirePasswordChange() was called; the page asks for the change).
      item.attempts -= 1;
      lastRun = { at: new Date(now).toISOString(), ok: false, error: 'password-change-required' };
      changed();
      return 'stop';
    }
    item.failed = true;
    item.last_error = explain(err);
    item.problem = err instanceof ApiError ? err.problem : null;
    await store.put('outbox', item);
    changed();
    return 'failed';
  }
}

const SENT_KEY = 'safetrace.sent';
function remember(item, status) {
  const list = sent();
  list.unshift({ id: item.id, kind: item.kind, label: item.label || item.file_name || '', status, at: new Date().toISOString() });
  localStorage.setItem(SENT_KEY, JSON.stringify(list.slice(0, 20)));
}

/** The last acknowledged items, newest first. */
export function sent() {
  try {
    return JSON.parse(localStorage.getItem(SENT_KEY) || '[]');
  } catch {
    return [];
  }
}

async function schedule() {
  clearTimeout(timer);
  timer = null;
  if (!mayRun()) return;
  const me = owner();
  const mine = (await items()).filter((i) => i.owner === me);
  const waiting = new Set(mine.map((i) => i.id));
  // A submission that waits for its photos is sent in the same run as they are.
  const due = mine
    .filter((i) => !i.failed && (i.kind === 'photo' || !i.needs.some((id) => waiting.has(id))))
    .map((i) => i.next_at || 0);
  if (due.length === 0) return;
  const wait = Math.max(250, Math.min(...due) - Date.now());
  timer = setTimeout(() => flush(), wait);
}

/** Sends when the page opens, when the network comes back, when the page is shown again. */
export function start() {
  window.addEventListener('online', () => flush({ force: true }));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') flush();
  });
  session.events.addEventListener('login', () => flush({ force: true }));
  flush();
}
