// safetrace service worker: keeps the app shell (the pages, scripts, styles) available
// offline. It deliberately does NOT touch API requests: those go from the page straight
// to the network, and the outbox (IndexedDB, sent by the page itself) deals with failures.
// That keeps one sender for submissions, and lets the browser tests route every API
// request the page makes.
//
// The server writes this build's version and its file list below; a new build gives a new
// script, so the browser installs a new worker, which caches the new files and drops the
// old cache.
const VERSION = '__SAFETRACE_VERSION__';
const FILES = /*__SAFETRACE_FILES__*/ ['/'];
const CACHE = `safetrace-shell-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('safetrace-shell-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isShell(url) {
  return url.pathname === '/' || url.pathname === '/index.html' || url.pathname === '/manifest.webmanifest' || url.pathname.startsWith('/assets/');
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    // Any page of the app is the one page; the hash does the routing.
    event.respondWith(fromCache('/index.html', request));
    return;
  }
  if (!isShell(url)) return; // the API and everything else: network, untouched
  event.respondWith(fromCache(url.pathname, request));
});

// Cache first (the cache is this version's), then the network.
async function fromCache(key, request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && isShell(new URL(request.url))) cache.put(key, response.clone());
  return response;
}
