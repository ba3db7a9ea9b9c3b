import type { Api } from "../api/client";
import { ApiError } from "../api/errors";

/** Where the service worker (public/sw.js) keeps the files of a Web Share Target POST. */
export const SHARED_CACHE = "pixelflow-shared";

interface Shared {
  key: Request;
  file: File;
}

async function pendingShares(cache: Cache): Promise<Shared[]> {
  const found: Shared[] = [];
  for (const key of await cache.keys()) {
    const response = await cache.match(key);
    if (!response) continue;
    const blob = await response.blob();
    const name = decodeURIComponent(response.headers.get("X-File-Name") ?? "") || "shared photo";
    found.push({ key, file: new File([blob], name, { type: blob.type }) });
  }
  return found;
}

/** Worth another try later: no connection, signed out meanwhile, rate-limited, the server's own trouble. */
const retryLater = (error: unknown): boolean =>
  !(error instanceof ApiError) || error.status === 0 || error.status === 401 || error.status === 429 || error.status >= 500;

let running: Promise<number> | null = null;

/**
 * Uploads every shared file with the signed-in session, one after another, oldest share first; a
 * file leaves the cache once uploaded or refused (a 4xx that another try would not change).
 * Resolves to how many were uploaded. One run at a time.
 */
export function uploadShared(api: Api): Promise<number> {
  running ??= (async () => {
    let uploaded = 0;
    try {
      if (!("caches" in window)) return 0;
      const cache = await caches.open(SHARED_CACHE);
      for (const { key, file } of await pendingShares(cache)) {
        try {
          await api.uploadImage(file, () => undefined);
          uploaded += 1;
        } catch (error) {
          if (retryLater(error)) break;
        }
        await cache.delete(key);
      }
      return uploaded;
    } finally {
      running = null;
      // The share's redirect (`/?shared=N`) has done its job: a reload must not look like a share.
      if (new URLSearchParams(window.location.search).has("shared")) {
        window.history.replaceState(window.history.state, "", window.location.pathname);
      }
    }
  })();
  return running;
}
