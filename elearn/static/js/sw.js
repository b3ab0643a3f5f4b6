// eLearn ASN service worker: keeps the learner's module pages for reading offline.
// Progressive enhancement: every page works without it. Served at /sw.js (scope /).
// Pages: network first, the saved copy when the network fails, else /offline.
// Only responses the server marks "Offline-Copy: keep" are kept, never "no-store" ones,
// so quizzes and downloads are never served from here. Sign-out clears it all
// (Clear-Site-Data), and offline.js clears the pages on any signed-out page.
// offline.js's words (/offline/messages?lang=…) are kept too, and refreshed when online.
"use strict";
const PAGES = "elearn-pages-v1";
const FILES = "elearn-files-v1";
const ROOT = new URL(self.registration.scope).pathname;  // "/" unless mounted under a prefix
const OFFLINE = ROOT + "offline";
const WORDS = OFFLINE + "/messages";
const STATIC = new RegExp(ROOT + "static/[^\"'?#\\s]+\\?v=[0-9a-f]+", "g");
const ASSET = new RegExp("^" + ROOT + "courses/[^/]+/v/[^/]+/assets/");

function noStore(response) {
  return /no-store/.test(response.headers.get("Cache-Control") || "");
}

function keepable(response) {
  return response.status === 200 && response.type === "basic" && !noStore(response) &&
    response.headers.get("Offline-Copy") === "keep";
}

// Files named by their content (?v=…) and course assets (by version hash) never change.
function isStatic(url) {
  return url.pathname.startsWith(ROOT + "static/");
}

function immutable(url) {
  return (isStatic(url) && url.searchParams.has("v")) || ASSET.test(url.pathname);
}

function putFile(cache, request, response) {
  const url = new URL(request.url || request, location.href);
  return cache.put(request, response).then(() => cache.keys()).then((keys) => Promise.all(
    // An older fingerprint of the same file is not needed any more.
    keys.filter((k) => {
      const old = new URL(k.url);
      return old.pathname === url.pathname && old.search !== url.search;
    }).map((k) => cache.delete(k))
  ));
}

function saveFiles(urls) {
  return caches.open(FILES).then((cache) => Promise.all(urls.map((url) =>
    cache.match(url).then((found) => found || fetch(url).then((response) => {
      if (response.status !== 200 || noStore(response)) throw new Error(url);
      return putFile(cache, url, response);
    }))
  )));
}

// Say that this is a saved copy: offline.js then shows the banner.
function marked(response) {
  return response.text().then((html) => {
    const headers = new Headers(response.headers);
    headers.delete("Content-Encoding");
    headers.delete("Content-Length");
    const body = html.replace('<main id="main">', '<main id="main" data-from-cache>');
    return new Response(body, {status: 200, statusText: "OK", headers: headers});
  });
}

function saved(request, fallback) {
  return caches.open(PAGES).then((cache) => cache.match(request.url, {ignoreVary: true})
    .then((found) => found || (fallback ? cache.match(OFFLINE, {ignoreVary: true}) : null)));
}

function page(request) {
  return fetch(request).then((response) => {
    if (keepable(response)) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(request.url, copy));
    } else if (response.status >= 502) {  // the proxy lost the app: a saved copy is better
      return saved(request, false).then((found) => (found ? marked(found) : response));
    }
    return response;
  }, () => saved(request, true).then((found) => (found ? marked(found) : Response.error())));
}

function file(request, event) {
  const url = new URL(request.url);
  return caches.open(FILES).then((cache) => {
    const fromNetwork = () => fetch(request).then((response) => {
      if (response.status === 200 && response.type === "basic" && !noStore(response)) {
        putFile(cache, request, response.clone());
      }
      return response;
    });
    if (immutable(url)) {
      return cache.match(request, {ignoreVary: true}).then((found) => found || fromNetwork());
    }
    if (url.pathname === WORDS) {  // the saved words at once, fresh ones for the next page
      const fresh = fromNetwork();
      event.waitUntil(fresh.catch(() => null));
      return cache.match(request, {ignoreVary: true}).then((found) => found || fresh);
    }
    return fromNetwork().catch(() => cache.match(request, {ignoreVary: true})
      .then((found) => found || Response.error()));
  });
}

// "Simpan untuk dibaca offline": fetch the pages one by one (a weak link is shared),
// marked as prefetches so the server does not count them as visits.
function save(pages, files) {
  return caches.open(PAGES).then((cache) => pages.reduce((done, url) => done.then((n) =>
    fetch(url, {headers: {Purpose: "prefetch"}, credentials: "same-origin"})
      .then((response) => (keepable(response) ? cache.put(url, response).then(() => n + 1) : n))
      .catch(() => n)
  ), Promise.resolve(0))).then((n) => saveFiles(files).then(() => n));
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(PAGES).then((cache) => fetch(OFFLINE).then((response) => {
    if (!response.ok) throw new Error(OFFLINE);
    return response.clone().text().then((html) => {
      const lang = (html.match(/<html lang="([\w-]+)"/) || [0, "id"])[1];
      const files = (html.match(STATIC) || []).concat([WORDS + "?lang=" + lang]);
      return cache.put(OFFLINE, response).then(() => saveFiles(files));
    });
  })).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((name) => name !== PAGES && name !== FILES).map((name) => caches.delete(name))
  )).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (isStatic(url) || immutable(url) || url.pathname === WORDS) {
    event.respondWith(file(request, event));
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports[0];
  let work = null;
  if (data.type === "save") {
    work = save(data.pages || [], data.files || []).catch(() => -1);
  } else if (data.type === "forget") {
    work = caches.delete(PAGES);
  }
  if (work) event.waitUntil(work.then((result) => port && port.postMessage({result: result})));
});
