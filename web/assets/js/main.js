// The app: a header, the current view (chosen by the URL's hash), a tab bar.
//   #/login  #/inspect  #/rectify[/<hazard id>]  #/outbox  #/dashboard  #/hazard/<id>
//   #/inspection/<id>
//   #/password (from the user menu; shown in place of everything while a change is required)
//   #/units[/new|/import]  #/unit/<id>[/edit]  #/ledger  #/admin/<communities|campaigns|users>
//   #/more (on a phone: the pages the tab bar has no room for)
//   #/notice/<inspection id>  #/recheck/<rectification id> (the papers, printable on A4)

import { t, lang, setLang, label } from './i18n.js';
import { h, mount, icon } from './dom.js';
import * as session from './session.js';
import * as outbox from './outbox.js';
import { net, isReachable, logout } from './api.js';
import { loginView } from './views/login.js';
import { passwordView } from './views/password.js';
import { inspectView } from './views/inspect.js';
import { rectifyView } from './views/rectify.js';
import { outboxView } from './views/outbox.js';
import { dashboardView } from './views/dashboard.js';
import { hazardView } from './views/hazard.js';
import { inspectionView } from './views/inspection.js';
import { unitsView, unitView } from './views/units.js';
import { ledgerView } from './views/ledger.js';
import { adminView } from './views/admin.js';
import { moreView } from './views/more.js';
import { noticeView, recheckView } from './views/paper.js';
import './i18n-office.js';

const VIEWS = {
  inspect: inspectView, rectify: rectifyView, outbox: outboxView, dashboard: dashboardView, hazard: hazardView, inspection: inspectionView,
  units: unitsView, unit: unitView, ledger: ledgerView, admin: adminView, more: moreView,
  notice: noticeView, recheck: recheckView,
};
// The tab a page belongs to.
const SECTION = { unit: 'units', notice: 'dashboard', recheck: 'dashboard' };

let renderSeq = 0;
let leaving = [];

function route() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const [name, ...args] = path.split('/').filter(Boolean);
  return { name: name || '', args, params: new URLSearchParams(query) };
}

export function home() {
  return session.role() === 'inspector' ? 'inspect' : 'dashboard';
}

function allowed(name) {
  if (['inspect', 'rectify', 'outbox'].includes(name)) return session.canRecord();
  if (name === 'admin') return session.role() === 'admin';
  return name in VIEWS;
}

async function pendingCount() {
  const me = session.user()?.username;
  return (await outbox.items()).filter((i) => i.owner === me).length;
}

function renderTop() {
  const user = session.user();
  const top = document.getElementById('top');
  const online = isReachable();
  mount(top,
    h('a', { class: 'brand', href: '#/' }, h('img', { src: '/assets/icon.svg', alt: '', width: 28, height: 28 }), h('span', {}, t('app.title'))),
    h('span', { class: ['net', online ? 'net-on' : 'net-off'], id: 'net', title: online ? t('top.online') : t('top.offline') }, online ? '' : t('top.offline')),
    h('button', {
      type: 'button',
      class: 'btn-top',
      id: 'lang',
      'aria-label': t('lang.switchLabel'),
      onclick: () => {
        setLang(lang() === 'en' ? 'zh' : 'en');
        render();
      },
    }, t('lang.switch')),
    user && session.loggedIn() ? userMenu(user) : null,
  );
}

/** The user's name, opening: change password, log out. */
function userMenu(user) {
  const menu = h('details', { class: 'user-menu', id: 'user-menu' });
  const close = () => { menu.open = false; };
  mount(menu,
    h('summary', { class: 'btn-top', id: 'user-menu-button', title: t('top.menu'), 'aria-label': `${t('top.signedInAs')} ${user.display_name || user.username}` },
      h('span', { class: 'user-name' }, user.display_name || user.username),
      user.role ? h('span', { class: 'user-role' }, label('role', user.role)) : null),
    h('div', { class: 'menu', role: 'menu' },
      session.mustChangePassword()
        ? null
        : h('a', { href: '#/password', class: 'menu-item', id: 'change-password-link', role: 'menuitem', onclick: close }, t('top.password')),
      h('button', {
        type: 'button',
        class: 'menu-item',
        id: 'logout',
        role: 'menuitem',
        onclick: async () => {
          close();
          const waiting = await pendingCount();
          if (waiting > 0 && !window.confirm(t('top.logoutPending', { n: waiting }))) return;
          await logout();
          location.hash = '#/login';
        },
      }, t('top.logout'))));
  return menu;
}

/**
 * The pages in the navigation: [route, icon, text, where]. `where` is 'all' (the phone's tab
 * bar and the desk's side bar), 'desk' (the side bar; on a phone under 更多) or 'phone'.
 */
function navItems() {
  const items = [];
  if (session.canRecord()) {
    items.push(['inspect', 'inspect', t('nav.inspect'), 'all'], ['rectify', 'rectify', t('nav.rectify'), 'all'], ['outbox', 'outbox', t('nav.outbox'), 'all']);
  }
  items.push(['dashboard', 'dashboard', t('nav.dashboard'), 'all']);
  items.push(['units', 'units', t('nav.units'), 'desk'], ['ledger', 'ledger', t('nav.ledger'), 'desk']);
  if (session.role() === 'admin') items.push(['admin', 'admin', t('nav.admin'), 'desk']);
  items.push(['more', 'more', t('nav.more'), 'phone']);
  return items;
}

async function renderTabs(current) {
  const tabs = document.getElementById('tabs');
  if (!session.loggedIn() || session.mustChangePassword()) {
    tabs.hidden = true;
    return;
  }
  const items = navItems();
  const section = SECTION[current] || current;
  const underMore = items.some(([name, , , where]) => where === 'desk' && name === section);
  const count = session.canRecord() ? await pendingCount() : 0;
  mount(tabs, ...items.map(([name, iconName, text, where]) => {
    const active = section === name || (name === 'more' && underMore);
    return h('a', { href: `#/${name}`, class: ['tab', active && 'active', where !== 'all' && `tab-${where}`], 'aria-current': active ? 'page' : null, id: `tab-${name}` },
      h('span', { class: 'tab-icon', 'aria-hidden': 'true' }, icon(iconName, 24)),
      h('span', {}, text),
      name === 'outbox' ? h('span', { class: ['badge', count === 0 && 'zero'], id: 'outbox-count' }, String(count)) : null,
    );
  }));
  tabs.hidden = false;
}

function banner() {
  const el = document.getElementById('banner');
  const notes = [];
  if (!('serviceWorker' in navigator) || !window.isSecureContext) notes.push(t('banner.insecure'));
  el.textContent = notes.join(' ');
  el.hidden = notes.length === 0;
}

export async function render() {
  const seq = ++renderSeq;
  for (const fn of leaving) fn();
  leaving = [];
  document.documentElement.lang = lang() === 'en' ? 'en' : 'zh-CN';
  document.title = `${t('app.title')} · safetrace`;
  const r = route();
  const view = document.getElementById('view');
  renderTop();
  banner();
  const ctx = {
    args: r.args,
    params: r.params,
    current: () => seq === renderSeq,
    onLeave: (fn) => leaving.push(fn),
    go: (hash) => { location.hash = hash; },
    home,
    refresh: () => render(),
    nav: navItems,
  };
  if (!session.loggedIn()) {
    await renderTabs(null);
    await loginView(view, ctx);
    return;
  }
  if (session.mustChangePassword() || r.name === 'password') {
    await renderTabs(r.name);
    await passwordView(view, ctx, { required: session.mustChangePassword() });
    return;
  }
  if (!r.name || r.name === 'login' || !allowed(r.name)) {
    location.replace(`#/${home()}`);
    if (r.name === 'login' || !r.name) return; // the hashchange renders
    return;
  }
  await renderTabs(r.name);
  view.classList.add('loading');
  try {
    await VIEWS[r.name](view, ctx);
  } finally {
    if (seq === renderSeq) view.classList.remove('loading');
  }
}

function updateBadge() {
  if (!session.loggedIn()) return;
  pendingCount().then((n) => {
    const el = document.getElementById('outbox-count');
    if (el) {
      el.textContent = String(n);
      el.classList.toggle('zero', n === 0);
    }
  });
}

function boot() {
  setLang(lang());
  window.addEventListener('hashchange', render);
  outbox.events.addEventListener('change', updateBadge);
  net.addEventListener('change', renderTop);
  window.addEventListener('online', renderTop);
  window.addEventListener('offline', renderTop);
  session.events.addEventListener('expired', () => render());
  session.events.addEventListener('password-required', () => render());
  session.events.addEventListener('login', () => {
    const r = route();
    if (!r.name || r.name === 'login' || r.name === 'password') location.replace(`#/${home()}`);
    render();
  });
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((err) => console.warn('service worker', err));
  }
  render();
  outbox.start();
}

boot();
