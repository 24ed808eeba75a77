// Chinese by default, English on request; the choice is kept on the device.

const KEY = 'safetrace.lang';

const STRINGS = {
  'app.title': ['安全隐患排查', 'Safety inspections'],
  'lang.switch': ['EN', '中文'],
  'lang.switchLabel': ['Switch to English', '切换到中文'],
  'nav.inspect': ['检查', 'Inspect'],
  'nav.rectify': ['整改', 'Rectify'],
  'nav.outbox': ['待发送', 'Outbox'],
  'nav.dashboard': ['看板', 'Dashboard'],
  'top.logout': ['退出登录', 'Log out'],
  'top.menu': ['账户', 'Account'],
  'top.password': ['修改密码', 'Change password'],
  'top.logoutPending': ['还有 {n} 项未发送。退出后它们仍保留在本机，需再次登录才能发送。确定退出？', '{n} items are not sent yet. They stay on this device and are sent after you log in again. Log out?'],
  'top.offline': ['离线', 'Offline'],
  'top.online': ['在线', 'Online'],
  'banner.insecure': ['此地址不是安全连接（HTTPS），离线功能不可用；记录仍会保存在本机并在联网后发送。', 'This address is not a secure (HTTPS) origin, so the app cannot work offline after a reload; records are still kept on this device and sent when online.'],
  'banner.expired': ['登录已过期，请重新登录。待发送的记录已保留在本机。', 'Your login has expired: please log in again. Records waiting to be sent are kept on this device.'],
  'login.title': ['登录', 'Log in'],
  'login.username': ['用户名', 'Username'],
  'login.password': ['密码', 'Password'],
  'login.submit': ['登录', 'Log in'],
  'login.wrong': ['用户名或密码不正确', 'Wrong username or password'],
  'login.locked': ['尝试次数过多，请 {s} 秒后再试', 'Too many attempts: try again in {s} s'],
  'login.expired': ['登录已过期，请重新登录。', 'Your login has expired: please log in again.'],
  'login.kept': ['{n} 条记录等待发送，已保留在本机，登录后自动发送。', '{n} records waiting to be sent are kept on this device and will be sent after you log in.'],
  'pw.title': ['修改密码', 'Change password'],
  'pw.required': ['为了账户安全，请先设置一个只有您知道的新密码，然后才能继续使用。', 'For your account\'s safety, set a new password that only you know before going on.'],
  'pw.kept': ['{n} 条记录等待发送，已保留在本机，修改密码后自动发送。', '{n} records waiting to be sent are kept on this device and will be sent once the password is changed.'],
  'pw.rules': ['新密码至少 10 个字符，不能包含用户名，也不能是常见密码（如 password123、qwertyuiop）。', 'At least 10 characters, without your username, and not a common password (such as password123 or qwertyuiop).'],
  'pw.current': ['当前密码', 'Current password'],
  'pw.new': ['新密码', 'New password'],
  'pw.again': ['再次输入新密码', 'New password again'],
  'pw.submit': ['保存新密码', 'Save the new password'],
  'pw.currentRequired': ['请输入当前密码', 'Enter your current password'],
  'pw.wrong': ['当前密码不正确', 'The current password is wrong'],
  'pw.mismatch': ['两次输入的新密码不一致', 'The two new passwords differ'],
  'pw.same': ['新密码不能与当前密码相同', 'The new password must differ from the current one'],
  'pw.tooShort': ['新密码至少需要 10 个字符', 'The new password needs at least 10 characters'],
  'pw.tooLong': ['新密码最多 200 个字符', 'The new password has at most 200 characters'],
  'pw.hasUsername': ['新密码不能包含用户名', 'The new password must not contain your username'],
  'pw.repeated': ['新密码不能由同一个字符重复组成', 'The new password must not be one character repeated'],
  'pw.common': ['这个密码太常见，很容易被猜到，请换一个', 'This password is too common and easy to guess: choose another'],
  'pw.weak': ['新密码不符合要求', 'The new password does not meet the rules'],
  'pw.done': ['密码已修改，其他设备上的登录已退出', 'Password changed; your other sessions are logged out'],
  'err.network': ['网络不可用', 'No network'],
  'err.load': ['无法加载：{e}', 'Could not load: {e}'],
  'common.required': ['必填', 'Required'],
  'common.optional': ['可选', 'optional'],
  'common.none': ['无', 'None'],
  'common.cancel': ['取消', 'Cancel'],
  'common.back': ['返回', 'Back'],
  'common.refresh': ['刷新', 'Refresh'],
  'common.offlineData': ['离线数据', 'Offline data'],
  'common.loading': ['正在加载…', 'Loading…'],
  'insp.title': ['检查记录', 'Inspection'],
  'insp.unit': ['检查单位', 'Unit'],
  'insp.unitSearch': ['搜索单位名称、地址或信用代码', 'Search name, address or credit code'],
  'insp.unitNone': ['没有找到单位', 'No unit found'],
  'insp.unitMore': ['还有 {n} 个，请输入更多文字', '{n} more: type more to narrow'],
  'insp.unitChange': ['更换', 'Change'],
  'insp.unitRequired': ['请选择检查单位', 'Pick the unit inspected'],
  'insp.at': ['检查时间', 'Inspected at'],
  'insp.inspectors': ['检查人员（用顿号或逗号分隔）', 'Inspectors (comma-separated)'],
  'insp.inspectorsRequired': ['至少填写一名检查人员', 'Name at least one inspector'],
  'insp.inspectorsTooMany': ['最多 10 名检查人员', 'At most 10 inspectors'],
  'insp.leaderLed': ['党政带队', 'Leader-led'],
  'insp.campaign': ['专项行动', 'Campaign'],
  'insp.notes': ['备注', 'Notes'],
  'insp.hazards': ['发现的隐患', 'Hazards found'],
  'insp.noHazards': ['本次检查未发现隐患。', 'No hazard found in this inspection.'],
  'insp.addHazard': ['添加隐患', 'Add a hazard'],
  'insp.submit': ['提交检查记录', 'Submit the inspection'],
  'insp.saved': ['已保存到本机，正在发送（{n} 条隐患）', 'Saved on this device, sending ({n} hazards)'],
  'insp.fixErrors': ['请检查标红的内容', 'Please check the fields marked in red'],
  'insp.discard': ['清空表单', 'Clear the form'],
  'insp.discardConfirm': ['清空当前表单？已拍的照片也将删除。', 'Clear this form? Its photos are removed too.'],
  'hz.n': ['隐患 {n}', 'Hazard {n}'],
  'hz.remove': ['删除此隐患', 'Remove this hazard'],
  'hz.category': ['类别', 'Category'],
  'hz.categoryPick': ['请选择类别', 'Pick a category'],
  'hz.level': ['等级', 'Level'],
  'hz.handling': ['处理方式', 'Handling'],
  'hz.description': ['隐患描述', 'Description'],
  'hz.descriptionRequired': ['请描述隐患', 'Describe the hazard'],
  'hz.deadline': ['整改期限', 'Deadline'],
  'hz.deadlineRequired': ['请填写整改期限', 'Set a deadline'],
  'hz.deadlineEarly': ['期限不能早于检查日期', 'The deadline cannot be before the inspection day'],
  'hz.days': ['{n}天', '{n} d'],
  'hz.note': ['现场处理情况', 'What was done on the spot'],
  'hz.noteRequired': ['请写明现场如何整改', 'Say what was done on the spot'],
  'hz.photos': ['照片', 'Photos'],
  'hz.tooLong': ['最多 2000 字', 'At most 2000 characters'],
  'photo.camera': ['拍照', 'Camera'],
  'photo.gallery': ['相册', 'Gallery'],
  'photo.remove': ['删除照片', 'Remove photo'],
  'photo.unavailable': ['照片不可用', 'Photo unavailable'],
  'photo.limit': ['每处最多 20 张照片', 'At most 20 photos here'],
  'rect.title': ['整改', 'Rectification'],
  'rect.pick': ['选择待整改的隐患', 'Pick an open hazard'],
  'rect.search': ['搜索单位或隐患描述', 'Search unit or description'],
  'rect.none': ['没有待整改的隐患', 'No open hazard'],
  'rect.measures': ['整改措施', 'Measures taken'],
  'rect.measuresRequired': ['请填写整改措施', 'Describe the measures'],
  'rect.responsible': ['整改责任人', 'Responsible person'],
  'rect.cost': ['整改费用（元）', 'Cost (yuan)'],
  'rect.completedAt': ['完成时间', 'Completed at'],
  'rect.evidence': ['整改后照片', 'Photos after rectification'],
  'rect.evidenceRequired': ['请至少拍一张整改后的照片', 'Take at least one photo of the result'],
  'rect.submit': ['提交整改', 'Submit the rectification'],
  'rect.saved': ['整改已保存到本机，正在发送', 'Rectification saved on this device, sending'],
  'rect.queued': ['整改待发送', 'Rectification waiting to be sent'],
  'out.title': ['待发送', 'Outbox'],
  'out.empty': ['全部已送达', 'Everything has been delivered'],
  'out.waiting': ['{n} 项等待发送', '{n} waiting to be sent'],
  'out.sendNow': ['立即发送', 'Send now'],
  'out.sending': ['正在发送…', 'Sending…'],
  'out.retryAt': ['{t} 重试', 'retry at {t}'],
  'out.attempts': ['已尝试 {n} 次', '{n} attempts'],
  'out.lastError': ['上次：{e}', 'last: {e}'],
  'out.blocked': ['等待照片发送', 'waiting for its photos'],
  'out.failed': ['服务器拒收：{e}', 'Refused by the server: {e}'],
  'out.discard': ['放弃', 'Discard'],
  'out.discardConfirm': ['放弃这一项？它将不会被发送。', 'Discard this item? It will not be sent.'],
  'out.otherUser': ['属于 {u}，需其登录后发送', 'belongs to {u}: sent when they log in'],
  'out.loginToSend': ['请登录后发送', 'Log in to send'],
  'out.sent': ['最近送达', 'Recently delivered'],
  'out.ack201': ['已保存', 'stored'],
  'out.ack200': ['已确认（重发）', 'confirmed (resent)'],
  'out.kind.photo': ['照片', 'Photo'],
  'out.kind.inspection': ['检查记录', 'Inspection'],
  'out.kind.rectification': ['整改', 'Rectification'],
  'out.network': ['网络不可用', 'no network'],
  'out.hazards': ['{n} 条隐患', '{n} hazards'],
  'dash.title': ['隐患看板', 'Hazard dashboard'],
  'dash.from': ['从', 'From'],
  'dash.to': ['至', 'To'],
  'dash.found': ['发现隐患', 'Found'],
  'dash.closed': ['已整改', 'Closed'],
  'dash.open': ['未整改', 'Open'],
  'dash.overdue': ['逾期', 'Overdue'],
  'dash.major': ['重大未整改', 'Major open'],
  'dash.majorShort': ['重大', 'Major'],
  'dash.rate': ['整改率', 'Closure rate'],
  'dash.pending': ['待复查', 'Pending verification'],
  'dash.byCommunity': ['各社区隐患', 'Hazards per community'],
  'dash.community': ['社区', 'Community'],
  'dash.rateByCommunity': ['整改率（按社区）', 'Closure rate per community'],
  'dash.rateByCategory': ['整改率（按类别）', 'Closure rate per category'],
  'dash.toVerify': ['待复查', 'To verify'],
  'dash.overdueList': ['逾期隐患', 'Overdue hazards'],
  'dash.majorList': ['重大隐患（未整改）', 'Major hazards (open)'],
  'dash.nothing': ['暂无', 'None'],
  'dash.reports': ['月度报表', 'Monthly report'],
  'dash.month': ['月份', 'Month'],
  'dash.excel': ['下载 Excel', 'Download Excel'],
  'dash.csv': ['下载 CSV', 'Download CSV'],
  'dash.table': ['表', 'Table'],
  'dash.downloaded': ['已下载 {f}', 'Downloaded {f}'],
  'dash.overdueDays': ['逾期 {n} 天', '{n} days overdue'],
  'dash.deadline': ['期限 {d}', 'due {d}'],
  'table.summary': ['汇总', 'Summary'],
  'table.by_community': ['按社区', 'By community'],
  'table.by_category': ['按类别', 'By category'],
  'table.overdue': ['逾期隐患', 'Overdue'],
  'table.major': ['重大隐患', 'Major'],
  'table.enforcement': ['联合执法', 'Enforcement'],
  'table.leader_led': ['党政带队', 'Leader-led'],
  'hzp.title': ['隐患详情', 'Hazard'],
  'hzp.unit': ['单位', 'Unit'],
  'hzp.found': ['发现时间', 'Found'],
  'hzp.deadline': ['整改期限', 'Deadline'],
  'hzp.note': ['现场处理', 'On-the-spot note'],
  'hzp.legal': ['依据', 'Legal basis'],
  'hzp.responsible': ['责任人', 'Responsible'],
  'hzp.photos': ['现场照片', 'Photos'],
  'hzp.rectifications': ['整改记录', 'Rectifications'],
  'hzp.noRect': ['尚无整改记录', 'No rectification yet'],
  'hzp.history': ['处理经过', 'History'],
  'hzp.submitted': ['提交于 {t}', 'submitted {t}'],
  'hzp.completed': ['完成于 {t}', 'completed {t}'],
  'hzp.cost': ['费用 {c} 元', 'cost {c}'],
  'hzp.comment': ['复查意见', 'Verification comment'],
  'hzp.commentHint': ['退回时必填', 'required to reject'],
  'hzp.pass': ['复查通过', 'Pass'],
  'hzp.reject': ['退回整改', 'Reject'],
  'hzp.rejectNeedsComment': ['退回需要填写复查意见', 'A rejection needs a comment'],
  'hzp.passed': ['复查通过，隐患已关闭', 'Passed: the hazard is closed'],
  'hzp.rejected': ['已退回整改', 'Rejected: back to open'],
  'hzp.rectify': ['提交整改', 'Record a rectification'],
  'hzp.verifiedBy': ['复查于 {t}', 'verified {t}'],
  'ev.created': ['登记', 'recorded'],
  'ev.rectification_submitted': ['提交整改', 'rectification submitted'],
  'ev.rectification_passed': ['复查通过', 'verification passed'],
  'ev.rectification_rejected': ['复查退回', 'verification rejected'],
  'ev.voided': ['作废', 'voided'],
  'ev.deadline_extended': ['延长期限', 'deadline extended'],
};

const ENUMS = {
  category: {
    gas: ['燃气', 'Gas'],
    fire_separation: ['防火分隔', 'Fire separation'],
    electrical: ['电气', 'Electrical'],
    evacuation: ['疏散通道', 'Evacuation'],
    fire_equipment: ['消防设施', 'Fire equipment'],
    hazardous_chemicals: ['危险化学品', 'Hazardous chemicals'],
    structural: ['建筑结构', 'Structural'],
    occupational: ['职业健康', 'Occupational'],
    other: ['其他', 'Other'],
  },
  level: { general: ['一般', 'General'], major: ['重大', 'Major'] },
  handling: { deadline: ['限期整改', 'By a deadline'], on_the_spot: ['即查即改', 'On the spot'] },
  status: {
    open: ['待整改', 'Open'],
    pending_verification: ['待复查', 'Pending verification'],
    closed: ['已整改', 'Closed'],
    voided: ['已作废', 'Voided'],
  },
  rectStatus: { pending: ['待复查', 'Pending'], passed: ['通过', 'Passed'], rejected: ['退回', 'Rejected'] },
  unitKind: {
    restaurant: ['餐饮', 'Restaurant'],
    shop: ['商铺', 'Shop'],
    factory: ['工厂', 'Factory'],
    warehouse: ['仓库', 'Warehouse'],
    construction_site: ['建筑工地', 'Construction site'],
    hotel: ['旅馆', 'Hotel'],
    market: ['市场', 'Market'],
    other: ['其他', 'Other'],
  },
  unitStatus: { active: ['正常', 'Active'], suspended: ['停产整顿', 'Suspended'], closed: ['取缔关闭', 'Closed'] },
};

/**
 * More messages and vocabularies, from a module of their own (the office's pages keep
 * theirs in i18n-office.js), so that pages added side by side do not all edit this file.
 */
export function define(strings = {}, enums = {}) {
  Object.assign(STRINGS, strings);
  for (const [kind, values] of Object.entries(enums)) ENUMS[kind] = { ...(ENUMS[kind] || {}), ...values };
}

export function lang() {
  const v = localStorage.getItem(KEY);
  return v === 'en' ? 'en' : 'zh';
}

export function setLang(value) {
  localStorage.setItem(KEY, value === 'en' ? 'en' : 'zh');
  document.documentElement.lang = value === 'en' ? 'en' : 'zh-CN';
}

function idx() {
  return lang() === 'en' ? 1 : 0;
}

/** A message, with `{name}` filled from `params`. */
export function t(key, params = {}) {
  const entry = STRINGS[key];
  const text = entry ? entry[idx()] : key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (params[k] === undefined ? '' : String(params[k])));
}

/** The label of an enum value: label('category', 'gas'). */
export function label(kind, value) {
  const entry = ENUMS[kind] && ENUMS[kind][value];
  return entry ? entry[idx()] : value || '';
}

export function options(kind) {
  return Object.keys(ENUMS[kind]);
}

/** A moment as the device shows it. */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(lang() === 'en' ? 'en-GB' : 'zh-CN', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function timeOfDay(ms) {
  return new Date(ms).toLocaleTimeString(lang() === 'en' ? 'en-GB' : 'zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
