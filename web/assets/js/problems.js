// The server's problems (RFC 9457 problem+json) as sentences a person reads: no codes, no
// field paths, no server English. A validation problem gives one sentence per field, in
// the words of the form that sent it; anything else one sentence for the whole.

import { t, label, options, define } from './i18n.js';
import { ApiError, NetworkError } from './api.js';
import './i18n-office.js';

// Every field error code the server sends (src/domain/problems.rs: FIELD_CODES), as a
// sentence in Chinese and in English; {f} is the field's name as the form shows it. A
// unit test on the server's side fails when a code has no sentence here in either language.
export const CODE_MESSAGES = {
  required: ['请填写{f}', '{f} is required'],
  length: ['{f}的长度不符合要求', '{f} has the wrong length'],
  range: ['{f}超出了允许的范围', '{f} is out of range'],
  too_many: ['{f}太多了', 'Too many {f}'],
  precision: ['{f}最多保留两位小数', '{f} has at most two decimals'],
  duplicate: ['{f}重复了', '{f} is listed twice'],
  not_found: ['{f}所指的记录不存在，或您无权查看', '{f} names a record that does not exist or that you may not see'],
  ambiguous: ['有多个记录与此相符，无法确定是哪一个', 'Several records match: it is not clear which one is meant'],
  taken: ['这个统一社会信用代码属于您负责范围以外的单位', 'This credit code belongs to a unit outside your communities'],
  already_exists: ['这条隐患已经提交过了，请重新提交', 'This hazard was sent before: send it again as a new record'],
  not_allowed: ['这类记录不需要填写{f}', 'This kind of record has no {f}'],
  in_future: ['{f}不能晚于现在', '{f} cannot be in the future'],
  before_found: ['{f}不能早于发现隐患的时间', '{f} cannot be before the hazard was found'],
  before_start: ['结束日期不能早于开始日期', 'The end cannot be before the start'],
  before_from: ['结束日期不能早于开始日期', 'The end cannot be before the start'],
  not_later: ['新的整改期限必须晚于原期限', 'The new deadline must be later than the current one'],
  unit_closed: ['该单位已关闭，不能再责令停业或关闭', 'The unit is closed already'],
  weak_password: ['密码不符合要求', 'The password does not meet the rules'],
  same_password: ['新密码不能与当前密码相同', 'The new password must differ from the current one'],
  wrong_password: ['当前密码不正确', 'The current password is wrong'],
  invalid_username: ['用户名只能用小写字母、数字、_、- 和 .，2–64 位', 'A username has 2–64 lower-case letters, digits, _ - or .'],
  invalid_code: ['代码只能用字母、数字、- 和 _，最多 32 位', 'A code has up to 32 letters, digits, - or _'],
  invalid_phone: ['{f}不是有效的电话号码（5–20 位数字，可含 +、- 或空格）', '{f} is not a phone number (5–20 digits, with an optional +, - or spaces)'],
  invalid_credit_code: ['统一社会信用代码不正确：应为 18 位，最后一位校验码须相符', 'Not a valid unified social credit code (18 characters with a matching check character)'],
  invalid_type: ['{f}的填写方式不对，请刷新页面后重试', '{f} has the wrong type: reload the page and try again'],
  invalid_choice: ['{f}不是可选的值', '{f} is not one of the choices'],
  invalid: ['{f}的格式不正确', '{f} is not in the right form'],
  unknown_field: ['页面发送了服务器不认识的内容，请刷新页面后重试', 'The page sent something the server does not know: reload the page and try again'],
  unknown_parameter: ['页面发送了服务器不认识的条件，请刷新页面后重试', 'The page sent a filter the server does not know: reload the page and try again'],
  out_of_range: ['每页条数应在 1 到 500 之间', 'A page holds 1 to 500 items'],
  nul_character: ['{f}含有无法保存的字符', '{f} contains a character that cannot be stored'],
  empty: ['文件是空的', 'The file is empty'],
  unreadable: ['无法读取这个文件：请上传 Excel 工作簿（.xlsx）或 CSV 文件', 'This file cannot be read: send an Excel workbook (.xlsx) or a CSV file'],
  no_columns: ['表格第一行没有可识别的列名（如 单位名称、社区、类型、地址）', 'The first row names no known column (such as 单位名称, 社区, 类型, 地址)'],
  duplicate_column: ['表格中有一列出现了两次', 'A column appears twice'],
  not_writable: ['服务器无法写入数据目录，请联系管理员', 'The server cannot write its data directory: tell the administrator'],
  other_community: ['这张照片已用于其他社区的记录，不能再引用', 'This photo is already cited by a record of another community'],
  no_deadline_hazard: ['这次检查没有限期整改的隐患，无需开具整改通知书', 'This inspection has no hazard with a deadline: no rectification notice is needed'],
};

// Every problem type (src/domain/problems.rs: PROBLEM_TYPES), likewise.
export const TYPE_MESSAGES = {
  'bad-request': ['请求无法读取，请刷新页面后重试', 'The request could not be read: reload the page and try again'],
  unauthorized: ['登录已失效，请重新登录', 'Your login has ended: please log in again'],
  forbidden: ['您没有权限执行此操作', 'You may not do this'],
  'password-change-required': ['请先修改密码', 'Change your password first'],
  'not-found': ['找不到该记录，或它不在您负责的范围内', 'Not found, or outside your scope'],
  'method-not-allowed': ['服务器不接受这个操作，请刷新页面后重试', 'The server does not take this action: reload the page and try again'],
  conflict: ['操作与他人的更改冲突，请刷新后重试', 'This conflicts with another change: reload and try again'],
  'stale-version': ['这条记录刚被别人修改过，请刷新后再改', 'Someone changed this record meanwhile: reload it and try again'],
  'illegal-transition': ['该记录当前的状态不允许这个操作', 'The record\u2019s state does not allow this'],
  'request-timeout': ['网络太慢，上传中断了，请在信号好时重试', 'The upload stalled on a slow network: try again with a better signal'],
  'payload-too-large': ['内容太大，超出了服务器允许的上限', 'This is larger than the server accepts'],
  'unsupported-media-type': ['不支持这种文件', 'Not a supported kind of file'],
  validation: ['填写的内容有误，请检查后重试', 'Some of the input is invalid: check it and try again'],
  'rate-limited': ['操作太频繁，请稍后再试', 'Too many attempts: try again later'],
  'upload-quota': ['今天上传的照片已达上限，请明天再传', 'Today\u2019s upload allowance is used up: send the rest tomorrow'],
  internal: ['服务器出错了，请稍后再试', 'The server failed: try again later'],
  unavailable: ['数据库暂时无法访问，请稍后再试', 'The database cannot be reached just now: try again later'],
};

define({
  ...Object.fromEntries(Object.entries(CODE_MESSAGES).map(([k, v]) => [`code.${k}`, v])),
  ...Object.fromEntries(Object.entries(TYPE_MESSAGES).map(([k, v]) => [`type.${k}`, v])),
});

/** The slug of a problem's type ("validation"), or ''. */
export function problemType(err) {
  return err instanceof ApiError ? String(err.problem?.type || '').replace(/^.*\/problems\//, '') : '';
}

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
      return CODE_MESSAGES[code] ? t(`code.${code}`, { f: name }) : t('pr.invalid', { f: name });
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
    default: return TYPE_MESSAGES[type] ? t(`type.${type}`) : t('pr.server');
  }
}
