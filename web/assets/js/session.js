// The login: token, its expiry and the user, in localStorage. When it expires (or the
// server answers 401) the token goes, the user's name stays, the outbox is untouched, and
// the page asks to log in again. When the user must change their password first (the
// login says so, or the server answers 403 password-change-required), the page asks for
// that, and the outbox waits.

const KEY = 'safetrace.session';
export const events = new EventTarget();

function read() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

function write(value) {
  if (value) localStorage.setItem(KEY, JSON.stringify(value));
  else localStorage.removeItem(KEY);
}

/** The logged-in user (also after the token expired), or null. */
export function user() {
  return read()?.user || null;
}

/** The token, or null when there is none or it has expired. */
export function token() {
  const s = read();
  if (!s || !s.token) return null;
  if (s.expires_at && Date.parse(s.expires_at) <= Date.now()) {
    expire();
    return null;
  }
  return s.token;
}

export function loggedIn() {
  return token() !== null;
}

/** True when a user logged in before and the login ran out (or was revoked). */
export function expired() {
  const s = read();
  return Boolean(s && s.user && !s.token);
}

export function save(login) {
  const mustChange = Boolean(login.must_change_password || login.user?.must_change_password);
  write({ token: login.token, expires_at: login.expires_at, user: login.user, must_change_password: mustChange });
  events.dispatchEvent(new Event(mustChange ? 'password-required' : 'login'));
}

/** The user must change their password before anything else. */
export function mustChangePassword() {
  const s = read();
  return Boolean(s && s.token && s.must_change_password);
}

/** The server said the password must be changed first (403 password-change-required). */
export function requirePasswordChange() {
  const s = read();
  if (!s || !s.token || s.must_change_password) return;
  write({ ...s, must_change_password: true });
  events.dispatchEvent(new Event('password-required'));
}

/** The password was changed: the same login goes on, now free to do anything. */
export function passwordChanged(user) {
  const s = read();
  if (!s) return;
  write({ ...s, user: user || s.user, must_change_password: false });
  events.dispatchEvent(new Event('login'));
}

/** The login no longer works: drop the token, keep who it was. */
export function expire() {
  const s = read();
  if (!s || !s.token) return;
  write({ user: s.user, token: null, expires_at: null });
  events.dispatchEvent(new Event('expired'));
}

export function logout() {
  write(null);
  events.dispatchEvent(new Event('logout'));
}

export function role() {
  return user()?.role || null;
}

export function canRecord() {
  return ['inspector', 'supervisor', 'admin'].includes(role());
}

export function canVerify() {
  return ['supervisor', 'admin'].includes(role());
}
