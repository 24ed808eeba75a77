// On a phone, the pages the tab bar has no room for (on a desk the side bar lists them all).

import { t } from '../i18n.js';
import { h, mount, icon } from '../dom.js';
import '../i18n-office.js';

export async function moreView(root, ctx) {
  const extras = ctx.nav().filter(([, , , where]) => where === 'desk');
  mount(root, h('div', { class: 'stack', id: 'more' },
    h('h1', {}, t('nav.more')),
    h('div', { class: 'choices' },
      ...extras.map(([name, iconName, text]) => h('a', { href: `#/${name}`, class: 'choice choice-row', id: `more-${name}` },
        h('span', { class: 'tab-icon', 'aria-hidden': 'true' }, icon(iconName, 24)),
        h('span', {}, h('strong', {}, text), h('span', { class: 'muted small block' }, t(`more.${name}`))))))));
}
