import { type InfiniteData, type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ImageItem, ImagePage } from "./api/types";
import { useServices } from "./services";

export const LATEST_KEY = ["images", "latest"] as const;
export const LIST_KEY = ["images", "list"] as const;

/** Writes one image's new state into every cached query that shows it. */
export function applyImageUpdate(client: QueryClient, image: ImageItem): void {
  client.setQueryData<ImageItem | null>(LATEST_KEY, (latest) => (latest && latest.id === image.id ? image : latest));
  client.setQueryData<InfiniteData<ImagePage>>(LIST_KEY, (list) =>
    list
      ? {
          ...list,
          pages: list.pages.map((page) => ({
            ...page,
            items: page.items.map((item) => (item.id === image.id ? image : item)),
          })),
        }
      : list,
  );
}

/**
 * Live status: `image.updated` events patch the caches, so nothing polls while the socket is up;
 * after a reconnection everything is refetched once, for what happened while it was down.
 */
export function useLiveImages(): { connected: boolean } {
  const { store, openSocket } = useServices();
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const socket = openSocket(() => store.get()?.accessToken);
    let everConnected = false;
    socket.on("image.updated", (image) => applyImageUpdate(client, image));
    socket.on("connect", () => {
      setConnected(true);
      if (everConnected) void client.invalidateQueries({ queryKey: ["images"] });
      everConnected = true;
    });
    const renewAndReconnect = () => {
      void store.refresh().then((session) => {
        if (session) socket.connect();
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
      // Most likely an expired access token: renew it, then try again with the new one.
      renewAndReconnect();
    });
    return () => {
      socket.disconnect();
    };
  }, [client, openSocket, store]);

  return { connected };
}
