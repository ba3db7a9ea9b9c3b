import { useSyncExternalStore } from "react";

const CHANGE = "pixelflow:navigate";

function subscribe(listener: () => void): () => void {
  window.addEventListener("popstate", listener);
  window.addEventListener(CHANGE, listener);
  return () => {
    window.removeEventListener("popstate", listener);
    window.removeEventListener(CHANGE, listener);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(path: string, options: { replace?: boolean; state?: ViewState } = {}): void {
  const state = options.state ?? null;
  if (options.replace) window.history.replaceState(state, "", path);
  else {
    window.history.pushState(state, "", path);
    // A new view starts at its top, as a page load would; back and forward keep the browser's
    // own scroll restoration.
    window.scrollTo(0, 0);
  }
  window.dispatchEvent(new Event(CHANGE));
}

/** What a history entry remembers about its view: the photo opened from it, to focus on return. */
export interface ViewState {
  opened?: string;
}

export function viewState(): ViewState {
  const state: unknown = window.history.state;
  return typeof state === "object" && state !== null ? (state as ViewState) : {};
}

/** Opens a photo's view; the entry left behind remembers it (see openedTile). */
export function openImage(event: LinkClick, id: string): void {
  window.history.replaceState({ ...viewState(), opened: id }, "");
  followLink(event, imagePath(id));
}

/** Every view the app has; each route is its own lazily loaded chunk (see App). */
export type Route =
  | { name: "signin" }
  | { name: "signup" }
  | { name: "photos" }
  | { name: "image"; id: string }
  | { name: "account" }
  | { name: "unknown" };

export function matchRoute(path: string): Route {
  if (path === "/signin") return { name: "signin" };
  if (path === "/signup") return { name: "signup" };
  if (path === "/") return { name: "photos" };
  if (path === "/account") return { name: "account" };
  const image = /^\/images\/([^/]+)\/?$/.exec(path);
  if (image?.[1]) return { name: "image", id: decodeURIComponent(image[1]) };
  return { name: "unknown" };
}

export const imagePath = (id: string): string => `/images/${encodeURIComponent(id)}`;

type LinkClick = { preventDefault(): void; button: number; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean };

/** A same-app link's click: follows it without a reload, unless the person asked for a new tab. */
export function followLink(event: LinkClick, path: string, state?: ViewState): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path, state ? { state } : {});
}
