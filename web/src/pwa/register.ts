import type { QueryClient } from "@tanstack/react-query";
import { createApi } from "../api/client";
import type { SessionStore } from "../auth/store";
import { uploadShared } from "./share";

/** The service worker keeps each user's API answers in a cache of this prefix (public/sw.js). */
const USER_CACHE_PREFIX = "pixelflow-user-";

/** Signing out leaves nothing of the account on the device: photos and lists kept for offline go. */
export async function forgetUserData(): Promise<void> {
  if (!("caches" in window)) return;
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(USER_CACHE_PREFIX)).map((name) => caches.delete(name)));
}

/**
 * The installable app: registers the service worker (offline shell and photos, Web Share Target),
 * forgets kept data on sign-out, and uploads shared photos whenever someone is signed in.
 */
export function startPwa(store: SessionStore, queryClient: QueryClient): void {
  if (import.meta.env.DEV || !("serviceWorker" in navigator)) return;
  const api = createApi(store);
  const uploadPending = () => {
    if (!store.get()) return;
    void uploadShared(api).then((count) => {
      if (count > 0) void queryClient.invalidateQueries();
    });
  };
  // On the first visit the page loads before the worker controls it, so nothing it fetched is kept:
  // once the worker takes over, fetch again through it what is on screen, for offline viewing.
  if (!navigator.serviceWorker.controller) {
    navigator.serviceWorker.addEventListener("controllerchange", () => void queryClient.invalidateQueries(), {
      once: true,
    });
  }
  const register = () => {
    navigator.serviceWorker.register("/sw.js").catch(() => undefined);
  };
  // After the page's own loading: installing the worker fetches the whole shell, which must not
  // compete with what the first view needs.
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });

  let signedIn = store.get() !== null;
  store.subscribe(() => {
    const now = store.get() !== null;
    if (!now) void forgetUserData();
    else if (!signedIn) uploadPending();
    signedIn = now;
  });
  uploadPending();
}
