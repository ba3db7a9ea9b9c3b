import { type InfiniteData, type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { ImageItem, ImagePage } from "./api/types";
import { useAnnounce } from "./announcer";
import { imageKey, LIST_KEY, removeImage } from "./imageList";
import { useServices } from "./services";

/** Writes one image's new state into every cached query that shows it; the state it replaced, if any. */
export function applyImageUpdate(client: QueryClient, image: ImageItem): ImageItem | undefined {
  let before: ImageItem | undefined = client.getQueryData<ImageItem>(imageKey(image.id));
  client.setQueryData<ImageItem>(imageKey(image.id), (current) => (current ? image : current));
  client.setQueryData<InfiniteData<ImagePage>>(LIST_KEY, (list) =>
    list
      ? {
          ...list,
          pages: list.pages.map((page) => ({
            ...page,
            items: page.items.map((item) => {
              if (item.id !== image.id) return item;
              before ??= item;
              return image;
            }),
          })),
        }
      : list,
  );
  return before;
}

function describeChange(image: ImageItem): string | null {
  if (image.status === "done") return `${image.original_name} is optimized.`;
  if (image.status === "failed") return `${image.original_name} could not be optimized${image.error ? `: ${image.error}` : "."}`;
  return null;
}

/**
 * Live status: `image.updated` events patch the caches, so nothing polls while the socket is up;
 * after a reconnection everything is refetched once, for what happened while it was down. The
 * browser's own offline/online events end and restart the socket at once (a dead socket is
 * otherwise noticed only after its ping timeout). Finished photos and the connection's changes
 * are announced through the app's one live region.
 */
export function useLiveImages(): { connected: boolean; connecting: boolean } {
  const { store, openSocket } = useServices();
  const client = useQueryClient();
  const announce = useAnnounce();
  const [connected, setConnected] = useState(false);
  // Until the first connection or failure: the badge says "Connecting…", not "Offline".
  const [settled, setSettled] = useState(false);
  const announced = useRef<boolean | null>(null);

  useEffect(() => {
    const socket = openSocket(() => store.get()?.accessToken);
    let everConnected = false;
    socket.on("image.updated", (image) => {
      const before = applyImageUpdate(client, image);
      const change = before && before.status !== image.status ? describeChange(image) : null;
      if (change) announce(change);
    });
    // Deleted in another tab (or on another device): gone from view here too.
    socket.on("image.deleted", ({ id }) => {
      const removed = removeImage(client, id);
      if (removed) announce(`${removed.original_name} was deleted.`);
    });
    socket.on("connect", () => {
      setConnected(true);
      setSettled(true);
      if (everConnected) void client.invalidateQueries({ queryKey: ["images"] });
      everConnected = true;
    });
    const renewAndReconnect = () => {
      void store.refresh().then((session) => {
        if (session && navigator.onLine) socket.connect();
      });
    };
    socket.on("disconnect", (reason) => {
      setConnected(false);
      // The server closes a socket when its access token expires (or its session ended, when the
      // refresh fails too): socket.io does not reconnect by itself after that.
      if (reason === "io server disconnect") renewAndReconnect();
    });
    socket.on("connect_error", () => {
      setConnected(false);
      setSettled(true);
      // Most likely an expired access token: renew it, then try again with the new one.
      if (navigator.onLine) renewAndReconnect();
    });
    const offline = () => {
      socket.disconnect();
      setConnected(false);
      setSettled(true);
    };
    const online = () => socket.connect();
    window.addEventListener("offline", offline);
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("offline", offline);
      window.removeEventListener("online", online);
      socket.disconnect();
    };
  }, [announce, client, openSocket, store]);

  // Said once per change, never for the first connection (the page just appeared).
  useEffect(() => {
    if (announced.current === null) {
      if (connected) announced.current = true;
      return;
    }
    if (announced.current === connected) return;
    announced.current = connected;
    announce(connected ? "Live updates are back on." : "Offline: live updates paused, reconnecting when possible.");
  }, [announce, connected]);

  return { connected, connecting: !settled };
}
