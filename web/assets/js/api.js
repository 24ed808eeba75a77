// The REST API (/api/v1), with the login's bearer token. Errors are problem+json.

import * as session from './session.js';
import { explain } from './problems.js';

export const BASE = '/api/v1';
export const net = new EventTarget();
let reachable = true;

export function isReachable() {
  return reachable && navigator.onLine !== false;
}

function setReachable(value) {
  if (value === reachable) return;
  reachable = value;
  net.dispatchEvent(new Event('change'));
}

/** The server answered with an error status. */
export class ApiError extends Error {
  constructor(status, problem, headers) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = headers ? Number(headers.get('retry-after')) || null : null;
  }
}

/** No answer at all: offline, the server down, the connection cut. */
export class NetworkError extends Error {}

export const PASSWORD_CHANGE_REQUIRED = '/problems/password-change-required';

/** The server refuses everything until the user has changed their password. */
export function isPasswordChangeRequired(err) {
  return err instanceof ApiError && err.status === 403 && err.problem.type === PASSWORD_CHANGE_REQUIRED;
}

/**
 * One request. Answers the Response when its status is 2xx; throws ApiError otherwise and
 * NetworkError when nothing came back. A 401 also ends the login, a 403
 * password-change-required asks for the change (the outbox stays either way).
 */
export async function call(path, { method = 'GET', json, body, auth = true, headers = {} } = {}) {
  const hdrs = { accept: 'application/json', ...headers };
  if (auth) {
    const token = session.token();
    if (!token) throw new ApiError(401, { title: 'Unauthorized', detail: 'not logged in' });
    hdrs.authorization = `Bearer ${token}`;
  }
  let payload = body;
  if (json !== undefined) {
    hdrs['content-type'] = 'application/json';
    payload = JSON.stringify(json);
  }
  let res;
  try {
    res = await fetch(path.startsWith('/') ? path : `${BASE}/${path}`, { method, headers: hdrs, body: payload, cache: 'no-store' });
  } catch (err) {
    setReachable(false);
    throw new NetworkError(err && err.message ? err.message : 'network error');
  }
  setReachable(true);
  if (res.ok) return res;
  let problem = null;
  try {
    problem = await res.json();
  } catch {
    problem = null;
  }
  if (res.status === 401 && auth) session.expire();
  const err = new ApiError(res.status, problem, res.headers);
  if (auth && isPasswordChangeRequired(err)) session.requirePasswordChange();
  throw err;
}

/** GET (or any method) and parse the JSON answer. */
export async function api(path, options) {
  const res = await call(path, options);
  if (res.status === 204) return null;
  return res.json();
}

/** Every page of a list (up to `max` items). */
export async function listAll(path, max = 2000) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${sep}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && items.length < max);
  return items;
}

export async function login(username, password) {
  const res = await call(`${BASE}/auth/login`, { method: 'POST', json: { username, password }, auth: false });
  const data = await res.json();
  session.save(data);
  return data;
}

/** Changes the user's own password; the login goes on. */
export async function changePassword(currentPassword, newPassword) {
  const res = await call(`${BASE}/auth/password`, { method: 'POST', json: { current_password: currentPassword, new_password: newPassword } });
  const user = await res.json();
  session.passwordChanged(user);
  return user;
}

export async function logout() {
  try {
    await call(`${BASE}/auth/logout`, { method: 'POST' });
  } catch {
    // Logging out locally is what matters; the token also expires by itself.
  }
  session.logout();
}

/** Fetches a file with the token and hands it to the browser as a download. */
export async function download(path, fallbackName) {
  const res = await call(path, { headers: { accept: '*/*' } });
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

const photoUrls = new Map();
/** An object URL for an attachment's bytes (fetched with the token, kept for the page's life). */
export async function photoUrl(id) {
  if (!photoUrls.has(id)) {
    const promise = call(`${BASE}/attachments/${id}/content`, { headers: { accept: 'image/*,*/*' } })
      .then((res) => res.blob())
      .then((blob) => URL.createObjectURL(blob));
    photoUrls.set(id, promise);
    promise.catch(() => photoUrls.delete(id));
  }
  return photoUrls.get(id);
}

/** A message for an error: the problem as sentences (see problems.js), never codes or server English. */
export function describe(err) {
  return explain(err);
}
