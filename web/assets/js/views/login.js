import { t } from '../i18n.js';
import { h, mount } from '../dom.js';
import * as session from '../session.js';
import * as outbox from '../outbox.js';
import { login, ApiError, NetworkError, describe } from '../api.js';

export async function loginView(root, ctx) {
  const before = session.user();
  const expired = session.expired();
  const kept = before ? (await outbox.items()).filter((i) => i.owner === before.username).length : 0;
  if (!ctx.current()) return;
  const error = h('p', { class: 'error', id: 'login-error', role: 'alert', hidden: true });
  const username = h('input', { name: 'username', autocomplete: 'username', autocapitalize: 'none', required: true, value: before ? before.username : '' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, t('login.submit'));
  const form = h('form', {
    class: 'card login',
    id: 'login-form',
    novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      error.hidden = true;
      if (!username.value.trim() || !password.value) {
        error.textContent = t('login.wrong');
        error.hidden = false;
        return;
      }
      submit.disabled = true;
      try {
        await login(username.value.trim(), password.value);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) error.textContent = t('login.wrong');
        else if (err instanceof ApiError && err.status === 429) error.textContent = t('login.locked', { s: err.retryAfter || 60 });
        else if (err instanceof NetworkError) error.textContent = t('err.network');
        else error.textContent = describe(err, t);
        error.hidden = false;
        submit.disabled = false;
      }
    },
  },
  h('h1', {}, t('login.title')),
  expired ? h('p', { class: 'notice', id: 'login-expired' }, t('login.expired')) : null,
  kept > 0 ? h('p', { class: 'notice', id: 'login-kept' }, t('login.kept', { n: kept })) : null,
  h('label', { class: 'field' }, h('span', {}, t('login.username')), username),
  h('label', { class: 'field' }, h('span', {}, t('login.password')), password),
  error,
  submit);
  mount(root, form);
  (before ? password : username).focus();
}
