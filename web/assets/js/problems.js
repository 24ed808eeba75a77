// The server's problems (RFC 9457 problem+json) as sentences a person reads: no codes, no
// field paths, no server English. A validation problem gives one sentence per field, in
// the words of the form that sent it; anything else one sentence for the whole.

import { t, label, options } from './i18n.js';
import { ApiError, NetworkError } from './api.js';
import './i18n-office.js';

/** The name of a request field as a form shows it ("联系电话"). */
export function fieldName(field) {
  const base = String(field || '').replace(/\[\d+\]$/, '').replace(/^.*\./, '');
  const key = `field.${base}`;
  const text = t(key);
  return text === key ? t('field.unknown') : text;
}

/** Numbers a server message carries ("at most 200", "between 1 and 200"). */
function limits(message) {
  const m = String(message || '');
  const between = /between (-?[\d.]+) and (-?[\d.]+)/.exec(m);
  if (between) return { min: between[1], max: between[2] };
  const most = /at most (\d+)/.exec(m);
  if (most) return { max: most[1] };
  const least = /at least (\d+)/.exec(m);
  if (least) return { min: least[1] };
  return {};
}

/** A quoted value in a server message (`…`), or ''. */
function quoted(message) {
  const m = /`([^`]*)`/.exec(String(message || ''));
  return m ? m[1] : '';
}

/** A row number in a server message ("the same unit as row 17"), or ''. */
function rowIn(message) {
  const m = /row (\d+)/.exec(String(message || ''));
  return m ? m[1] : '';
}

/** One field error as a sentence; `name` is how the form names the field. */
export function fieldSentence(e, name = fieldName(e.field)) {
  const code = e.code || '';
  const msg = e.message || '';
  const base = String(e.field || '').replace(/\[\d+\]$/, '').replace(/^.*\./, '');
  const lim = limits(msg);
  switch (code) {
    case 'required':
      if (/latitude and longitude/.test(msg)) return t('pr.latLng');
      if (/new unit needs/.test(msg)) return t('pr.requiredNewUnit', { f: name });
      if (/new community needs/.test(msg)) return t('pr.requiredNewCommunity', { f: name });
      return t('pr.required', { f: name });
    case 'length':
      if (lim.min && lim.max) return t('pr.lengthBetween', { f: name, min: lim.min, max: lim.max });
      if (lim.max) return t('pr.lengthMax', { f: name, max: lim.max });
      if (lim.min) return t('pr.lengthMin', { f: name, min: lim.min });
      return t('pr.length', { f: name });
    case 'range':
      if (base === 'latitude') return t('pr.latitude');
      if (base === 'longitude') return t('pr.longitude');
      if (lim.min && lim.max) return t('pr.rangeBetween', { f: name, min: lim.min, max: lim.max });
      return t('pr.range', { f: name });
    case 'too_many':
      if (base === 'rows') return t('pr.tooManyRows');
      return t('pr.tooMany', { f: name });
    case 'duplicate': {
      const row = rowIn(msg);
      if (row && /credit code/.test(msg)) return t('pr.dupCreditRow', { row });
      if (row && /code/.test(msg)) return t('pr.dupCodeRow', { row });
      if (row) return t('pr.dupRow', { row });
      return t('pr.duplicate', { f: name });
    }
    case 'not_found':
      if (base === 'community' || base === '社区' || /community/.test(msg)) {
        const v = quoted(msg);
        return v ? t('pr.noCommunityNamed', { v }) : t('pr.noCommunity');
      }
      return t('pr.notFoundRef', { f: name });
    case 'ambiguous':
      if (/credit code/.test(msg)) return t('pr.ambiguousCredit');
      if (/communities/.test(msg)) return t('pr.ambiguousCommunity', { v: quoted(msg) });
      return t('pr.ambiguousUnit');
    case 'taken':
      return t('pr.takenCredit');
    case 'in_future':
      return t('pr.inFuture', { f: name });
    case 'before_start':
      return t('pr.beforeStart');
    case 'before_from':
      return t('pr.beforeFrom');
    case 'weak_password':
      if (/common/.test(msg)) return t('pw.common');
      if (/contain the username/.test(msg)) return t('pw.hasUsername');
      if (/at least 10/.test(msg)) return t('pw.tooShort');
      if (/at most 200/.test(msg)) return t('pw.tooLong');
      if (/repeated/.test(msg)) return t('pw.repeated');
      return t('pw.weak');
    case 'same_password':
      return t('pw.same');
    case 'wrong_password':
      return t('pw.wrong');
    case 'invalid_username':
      return t('pr.username');
    case 'invalid_code':
      return t('pr.code');
    case 'invalid_phone':
      return t('pr.phone');
    case 'invalid_credit_code':
      return t('pr.creditCode');
    case 'invalid_choice':
      if (base === 'kind' || base === '类型') return t('pr.kind');
      return t('pr.choice', { f: name });
    case 'invalid':
      if (/not a number/.test(msg)) return t('pr.number', { f: name });
      return t('pr.invalid', { f: name });
    case 'nul_character':
      return t('pr.nul', { f: name });
    case 'empty':
      return base === 'file' && /header/.test(msg) ? t('pr.noHeader') : t('pr.emptyFile');
    case 'unreadable':
      return t('pr.unreadable');
    case 'no_columns':
      return t('pr.noColumns');
    case 'duplicate_column':
      return t('pr.duplicateColumn', { v: quoted(msg) });
    default:
      return t('pr.invalid', { f: name });
  }
}

/** One row error of an import as a sentence (its row and column are shown beside it). */
export function rowSentence(e) {
  const column = e.column || '';
  const known = { 单位名称: 'name', name: 'name', 社区: 'community', community: 'community', 类型: 'kind', kind: 'kind', 地址: 'address', address: 'address', 统一社会信用代码: 'credit_code', credit_code: 'credit_code', 联系人: 'contact_name', contact_name: 'contact_name', 联系电话: 'contact_phone', contact_phone: 'contact_phone', 纬度: 'latitude', latitude: 'latitude', 经度: 'longitude', longitude: 'longitude', 名称: 'name', 代码: 'code', code: 'code' };
  const base = known[column.replace(/\*/g, '').trim().toLowerCase()] || known[column.replace(/\*/g, '').trim()] || column;
  return fieldSentence({ field: base, code: e.code, message: e.message }, column || fieldName(base));
}

/** A record's state in words (a hazard's or a unit's). */
function stateLabel(v) {
  if (options('unitStatus').includes(v)) return label('unitStatus', v);
  if (options('status').includes(v)) return label('status', v);
  return '';
}

/** Whether the problem is a validation problem with field errors. */
export function fieldErrors(err) {
  return err instanceof ApiError && err.status === 422 && Array.isArray(err.problem.errors) ? err.problem.errors : [];
}

/** The whole problem as one sentence (field errors joined), for a toast or a line. */
export function explain(err, names = {}) {
  if (err instanceof NetworkError) return t('err.network');
  if (!(err instanceof ApiError)) return t('pr.unexpected');
  const p = err.problem || {};
  const type = String(p.type || '').replace(/^.*\/problems\//, '');
  const detail = String(p.detail || '');
  const fields = fieldErrors(err);
  if (fields.length > 0) {
    return fields.map((e) => fieldSentence(e, names[e.field] || fieldName(e.field))).join('；');
  }
  switch (err.status) {
    case 400: return t('pr.badRequest');
    case 401: return t('pr.unauthorized');
    case 403: return type === 'password-change-required' ? t('pw.required') : t('pr.forbidden');
    case 404: return t('pr.notFound');
    case 409:
      if (type === 'stale-version') return t('pr.stale');
      if (type === 'illegal-transition') return t('pr.illegal', { s: stateLabel(p.current_state) });
      if (/username/.test(detail)) return t('pr.usernameTaken', { v: quoted(detail) });
      if (/community with code/.test(detail)) return t('pr.codeTaken', { v: quoted(detail) });
      if (/last active admin|last admin/.test(detail)) return t('pr.lastAdmin');
      if (/changed while the file was imported|changed concurrently/.test(detail)) return t('pr.changedMeanwhile');
      if (/different content|already submitted|already exists/.test(detail)) return t('pr.idUsed');
      return t('pr.conflict');
    case 413: return t('pr.tooLarge');
    case 415: return /xls/i.test(detail) ? t('pr.xls') : t('pr.fileType');
    case 429: return t('pr.rateLimited', { s: err.retryAfter || 60 });
    case 503: return t('pr.unavailable');
    default: return t('pr.server');
  }
}
