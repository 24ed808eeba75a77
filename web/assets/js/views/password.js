// Changing one's own password: required before anything else when the server says so (a
// new account, a password an admin set), or chosen from the user menu.

import { t } from '../i18n.js';
import { h, mount, toast } from '../dom.js';
import * as session from '../session.js';
import * as outbox from '../outbox.js';
import { changePassword, ApiError, NetworkError, describe } from '../api.js';

/** The server's reason for refusing a new password, in the page's words. */
function refusal(message) {
  const m = String(message || '');
  if (/too common/.test(m)) return t('pw.common');
  if (/contain the username/.test(m)) return t('pw.hasUsername');
  if (/at least 10/.test(m)) return t('pw.tooShort');
  if (/at most 200/.test(m)) return t('pw.tooLong');
  if (/repeated/.test(m)) return t('pw.repeated');
  return t('pw.weak');
}

/** What is wrong with the form before it is sent, or null. */
function precheck(username, current, next, again) {
  if (!current) return ['current', t('pw.currentRequired')];
  if ([...next].length < 10) return ['new', t('pw.tooShort')];
  if ([...next].length > 200) return ['new', t('pw.tooLong')];
  const lower = next.toLowerCase();
  if (username && (lower.includes(username.toLowerCase()) || username.toLowerCase().includes(lower))) return ['new', t('pw.hasUsername')];
  if (next === current) return ['new', t('pw.same')];
  if (next !== again) return ['again', t('pw.mismatch')];
  return null;
}

export async function passwordView(root, ctx, { required = false } = {}) {
  const user = session.user();
  const username = user ? user.username : '';
  const waiting = username ? (await outbox.items()).filter((i) => i.owner === username).length : 0;
  if (!ctx.current()) return;
  const fieldError = () => h('p', { class: 'field-error', role: 'alert' });
  const errors = { current: fieldError(), new: fieldError(), again: fieldError() };
  const formError = h('p', { class: 'error', id: 'password-error', role: 'alert', hidden: true });
  const current = h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true, minlength: 10, maxlength: 200 });
  const again = h('input', { name: 'new_password_again', type: 'password', autocomplete: 'new-password', required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'password-submit' }, t('pw.submit'));
  const clearErrors = () => {
    for (const el of Object.values(errors)) el.textContent = '';
    formError.hidden = true;
  };
  const form = h('form', {
    class: 'card login',
    id: 'password-form',
    novalidate: true,
    dataset: { required: required ? 'true' : 'false' },
    onsubmit: async (event) => {
      event.preventDefault();
      clearErrors();
      const problem = precheck(username, current.value, next.value, again.value);
      if (problem) {
        errors[problem[0]].textContent = problem[1];
        return;
      }
      submit.disabled = true;
      try {
        await changePassword(current.value, next.value);
        toast(t('pw.done'), 'ok');
        // session.passwordChanged() announced the login anew: the app goes home, the outbox sends.
        if (!required) ctx.go(`#/${ctx.home()}`);
      } catch (err) {
        submit.disabled = false;
        const byField = err instanceof ApiError ? err.problem.errors || [] : [];
        const wrong = byField.find((e) => e.field === 'current_password');
        const weak = byField.find((e) => e.field === 'new_password');
        if (wrong) errors.current.textContent = t('pw.wrong');
        else if (weak && weak.code === 'same_password') errors.new.textContent = t('pw.same');
        else if (weak) errors.new.textContent = refusal(weak.message);
        else if (err instanceof ApiError && err.status === 429) formError.textContent = t('login.locked', { s: err.retryAfter || 60 });
        else if (err instanceof NetworkError) formError.textContent = t('err.network');
        else formError.textContent = describe(err, t);
        formError.hidden = !formError.textContent;
      }
    },
  },
  h('h1', {}, t('pw.title')),
  required ? h('p', { class: 'notice', id: 'password-required' }, t('pw.required')) : null,
  required && waiting > 0 ? h('p', { class: 'notice', id: 'password-kept' }, t('pw.kept', { n: waiting })) : null,
  h('p', { class: 'muted small' }, t('pw.rules')),
  h('label', { class: 'field' }, h('span', {}, t('pw.current')), current, errors.current),
  h('label', { class: 'field' }, h('span', {}, t('pw.new')), next, errors.new),
  h('label', { class: 'field' }, h('span', {}, t('pw.again')), again, errors.again),
  formError,
  submit,
  required ? null : h('a', { class: 'btn btn-secondary btn-block', href: `#/${ctx.home()}`, id: 'password-cancel' }, t('common.cancel')));
  mount(root, form);
  current.focus();
}
