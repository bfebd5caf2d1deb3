// The service worker (core/offline.py serves it at /sw.js): pages the server marked with
// X-Offline-Cache (a mentor's own pages) stay readable offline, network first; static files
// come from the cache. Nothing else is kept: POSTs, fragments, photos and other users' pages
// always go to the network. Logging out empties everything (Clear-Site-Data and offline.js).
"use strict";
const CONFIG = {{ config|safe }};
const SHELL = "shell-" + CONFIG.version;
const PAGES = "pages";
// Collected static files carry a content hash in their name and never change.
const HASHED = /\.[0-9a-f]{12}\.\w+$/;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.addAll(CONFIG.shell);
    // Without cookies: the offline page holds nothing of a user.
    const offline = await fetch(CONFIG.offline, { credentials: "omit" });
    if (offline.ok) await cache.put(CONFIG.offline, offline);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.startsWith(CONFIG.static)) event.respondWith(staticFile(request, url));
});

// The page that installed the worker was loaded before it: offline.js asks for it to be kept.
self.addEventListener("message", (event) => {
  const url = event.data && event.data.keep && new URL(event.data.keep, self.location.href);
  if (url && url.origin === self.location.origin) {
    event.waitUntil(fetch(url.href).then((response) => remember(url.href, response)).catch(() => null));
  }
});

async function page(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const cache = await caches.open(PAGES);
    return (await keptCopy(cache, request)) || (await caches.match(CONFIG.offline)) || Response.error();
  }
  await remember(request, response);
  if (response.status >= 502) {
    // The server (not the signal) is down: the kept copy is better than a gateway error.
    const kept = await keptCopy(await caches.open(PAGES), request);
    if (kept) return kept;
  }
  return response;
}

async function remember(request, response) {
  if (response.redirected) return;
  const cache = await caches.open(PAGES);
  if (response.headers.get(CONFIG.header) === "1") {
    await cache.put(request, response.clone());
  } else if (response.ok) {
    await cache.delete(request, { ignoreVary: true }); // no longer a page this device may keep
  }
}

// The kept copy, marked so that the page shows its "offline, data as of" banner.
async function keptCopy(cache, request) {
  const kept = await cache.match(request, { ignoreVary: true });
  if (!kept) return null;
  const html = (await kept.text()).replace("<body", "<body data-cached-copy");
  return new Response(html, { status: kept.status, statusText: kept.statusText, headers: kept.headers });
}

async function staticFile(request, url) {
  const cache = await caches.open(SHELL);
  const kept = await cache.match(request);
  if (kept && HASHED.test(url.pathname)) return kept;
  // An unhashed file (development) is refreshed behind the kept copy for the next load.
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (kept) {
    fresh.catch(() => null);
    return kept;
  }
  return fresh;
}
