// Lists the pickers need, kept in IndexedDB per user so the form works offline: the
// cached copy answers at once, a fresh one is fetched behind it when the network allows.

import { listAll } from './api.js';
import * as store from './store.js';
import * as session from './session.js';

async function cachedList(name, path) {
  const key = `${session.user()?.username || ''}:${name}`;
  const cached = await store.cacheGet(key);
  const fresh = listAll(path).then(async (items) => {
    await store.cachePut(key, items);
    return items;
  });
  fresh.catch(() => {});
  if (cached) return { items: cached, fresh };
  try {
    return { items: await fresh, fresh };
  } catch (error) {
    return { items: [], fresh, error };
  }
}

export const units = () => cachedList('units', 'units');
export const campaigns = () => cachedList('campaigns', 'campaigns');
export const openHazards = () => cachedList('open-hazards', 'hazards?status=open');
export const communities = () => cachedList('communities', 'communities');
export const hazardPhrases = () => cachedList('hazard-phrases', 'hazard-phrases');

/** id -> unit, from the cache (or the network when there is no cache yet). */
export async function unitMap() {
  const { items } = await units();
  return new Map(items.map((u) => [u.id, u]));
}
