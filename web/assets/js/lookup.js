// Names for ids on the office's pages: communities and campaigns (short lists, read once per
// login and page load), and units (the phone's cached registry first, then one request per
// unit still missing, remembered).

import { api, listAll } from './api.js';
import * as session from './session.js';
import * as data from './data.js';

let owner = null;
let communityList = null;
let campaignList = null;
let unitMap = null;
let unitSeed = null;

function mine() {
  const me = session.user()?.username || '';
  if (owner !== me) {
    owner = me;
    communityList = null;
    campaignList = null;
    unitMap = new Map();
    unitSeed = null;
  }
}

/** Every community (every user reads them all), by name. */
export async function communities({ fresh = false } = {}) {
  mine();
  if (!communityList || fresh) {
    const p = listAll('communities', 10000).then((items) => items.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')));
    communityList = p;
    p.catch(() => { if (communityList === p) communityList = null; });
  }
  return communityList;
}

/** The communities in the user's scope. */
export async function myCommunities() {
  const all = await communities();
  const scope = session.user()?.community_ids;
  return Array.isArray(scope) ? all.filter((c) => scope.includes(c.id)) : all;
}

/** Every campaign, newest first. */
export async function campaigns({ fresh = false } = {}) {
  mine();
  if (!campaignList || fresh) {
    const p = listAll('campaigns', 10000);
    campaignList = p;
    p.catch(() => { if (campaignList === p) campaignList = null; });
  }
  return campaignList;
}

/** Forget what was read, after a change made on this page. */
export function forget(what) {
  mine();
  if (what === 'communities') communityList = null;
  if (what === 'campaigns') campaignList = null;
  if (what === 'units') { unitMap = new Map(); unitSeed = null; }
}

/** Remember a unit read elsewhere. */
export function rememberUnit(unit) {
  mine();
  if (unit && unit.id) unitMap.set(unit.id, unit);
}

/** id -> unit for the given ids (those that cannot be read are left out). */
export async function units(ids) {
  mine();
  if (!unitSeed) {
    unitSeed = data.units().then(({ items }) => { for (const u of items) if (!unitMap.has(u.id)) unitMap.set(u.id, u); }).catch(() => {});
  }
  await unitSeed;
  const missing = [...new Set(ids)].filter((id) => id && !unitMap.has(id));
  for (let i = 0; i < missing.length; i += 8) {
    await Promise.all(missing.slice(i, i + 8).map((id) => api(`units/${id}`).then((u) => unitMap.set(id, u)).catch(() => {})));
  }
  return unitMap;
}

/** id -> name of a community. */
export async function communityNames() {
  return new Map((await communities()).map((c) => [c.id, c.name]));
}
