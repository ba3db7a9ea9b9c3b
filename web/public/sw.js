// pixelflow's service worker: the app shell offline, this user's already-seen photos offline, and
// the Web Share Target. Hand-written (about a hundred lines) rather than Workbox: three small
// strategies, and the per-user cache partition below is ours to get right either way.
//
// The build (web/scripts/sw-manifest.mjs) replaces BUILD and PRECACHE with the build's hash and
// its file list; as committed (and under `npm run dev`) they are empty and nothing is precached.
const BUILD = "dev";
const PRECACHE = [];

const SHELL = `pixelflow-shell-${BUILD}`;
// One cache per user id (the token's `sub`): a response is only ever served back to requests
// carrying a token of the same user; the app deletes them all on sign-out (web/src/pwa/register.ts).
const USER_PREFIX = "pixelflow-user-";
// Files shared to the app wait here until the app, signed in, uploads them (web/src/pwa/share.ts).
const SHARED = "pixelflow-shared";
const SHARE_PATH = "/share-target";
// What of the API is kept for offline viewing: reads of the photos (the list, the latest, one
// image, its optimized file) and of the usage. Never the auth routes (tokens), never but a 200.
const KEPT_API = [/^\/api\/images(\/.*)?$/, /^\/api\/usage$/];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("pixelflow-shell-") && n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === SHARE_PATH) {
    event.respondWith(receiveShare(request));
    return;
  }
  const strategy = request.method === "GET" ? strategyFor(request, url.pathname) : null;
  if (strategy) event.respondWith(strategy(request));
});

function strategyFor(request, path) {
  if (request.mode === "navigate") return networkElseShell;
  if (path.startsWith("/assets/") || (path !== "/" && PRECACHE.includes(path))) return shellFirst;
  if (KEPT_API.some((pattern) => pattern.test(path))) return networkElseKept;
  return null;
}

/** Pages always come from the server when it answers (a new build shows at once), else the shell. */
async function networkElseShell(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const shell = await caches.match("/", { cacheName: SHELL });
    if (shell) return shell;
    throw error;
  }
}

/** Hashed assets never change under one URL: the cache answers, the network fills it (lazy chunks). */
async function shellFirst(request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

/** The API's answer when there is one (fresh data, and the server's authorization check); the last
 * answer this same user got only when the network is down. */
async function networkElseKept(request) {
  const user = userOf(request);
  if (!user) return fetch(request);
  const cache = await caches.open(USER_PREFIX + user);
  try {
    const response = await fetch(request);
    if (response.status === 200) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // The partition is the user already; a changed token (refreshed) must still find its answers.
    const kept = await cache.match(request, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

/** The user id in the bearer token, unverified: it only picks a cache partition, the server still
 * checks every token whenever it is reachable. */
function userOf(request) {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.[\w-]+$/.exec(request.headers.get("Authorization") ?? "");
  if (!match) return null;
  try {
    const claims = JSON.parse(atob(match[2].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims.sub === "string" && /^[\w-]+$/.test(claims.sub) ? claims.sub : null;
  } catch {
    return null;
  }
}

/** A share from the system's share sheet: keep the files, then open the app, which uploads them
 * with the signed-in session (a service worker has no business holding tokens). */
async function receiveShare(request) {
  let files = [];
  try {
    const form = await request.formData();
    files = form.getAll("photos").filter((value) => value instanceof File && value.size > 0);
  } catch {
    return Response.redirect("/?shared=0", 303);
  }
  const cache = await caches.open(SHARED);
  const batch = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await Promise.all(
    files.map((file, index) =>
      cache.put(
        `${SHARE_PATH}/${batch}/${index}`,
        new Response(file, {
          headers: { "Content-Type": file.type || "application/octet-stream", "X-File-Name": encodeURIComponent(file.name) },
        }),
      ),
    ),
  );
  return Response.redirect(`/?shared=${files.length}`, 303);
}
