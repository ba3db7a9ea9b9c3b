import { type InfiniteData, useInfiniteQuery, type QueryClient } from "@tanstack/react-query";
import type { ImageItem, ImagePage } from "./api/types";
import { useServices } from "./services";

export const LIST_KEY = ["images", "list"] as const;
export const imageKey = (id: string) => ["images", "one", id] as const;
export const PAGE_SIZE = 12;

/**
 * The account's photos, newest first, a page at a time. Its first item is the latest photo, so
 * the page asks one request for both (never `/latest`, which answers 404 for an empty account).
 */
export function useImageList(polling: number | false) {
  const { api } = useServices();
  return useInfiniteQuery({
    queryKey: LIST_KEY,
    queryFn: ({ pageParam }) => api.listImages(pageParam, PAGE_SIZE),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: polling,
  });
}

/** A new upload goes first, at once; the list is fetched again behind it for the true order. */
export function prependImage(client: QueryClient, image: ImageItem): void {
  client.setQueryData<InfiniteData<ImagePage>>(LIST_KEY, (list) => {
    if (!list) return list;
    const [first, ...rest] = list.pages;
    const items = (first?.items ?? []).filter((item) => item.id !== image.id);
    return { ...list, pages: [{ items: [image, ...items], next_cursor: first?.next_cursor ?? null }, ...rest] };
  });
  client.setQueryData(imageKey(image.id), image);
}

/** An image as the list already holds it, so opening it from the grid shows it at once. */
export function cachedImage(client: QueryClient, id: string): ImageItem | undefined {
  const list = client.getQueryData<InfiniteData<ImagePage>>(LIST_KEY);
  return list?.pages.flatMap((page) => page.items).find((item) => item.id === id);
}

/**
 * A deleted image leaves the grid and the latest card at once (here or from another tab's
 * `image.deleted`); the usage is asked again, as its bytes left the quota.
 */
export function removeImage(client: QueryClient, id: string): ImageItem | undefined {
  const removed = cachedImage(client, id) ?? client.getQueryData<ImageItem>(imageKey(id));
  client.setQueryData<InfiniteData<ImagePage>>(LIST_KEY, (list) =>
    list ? { ...list, pages: list.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== id) })) } : list,
  );
  client.removeQueries({ queryKey: imageKey(id), exact: true });
  void client.invalidateQueries({ queryKey: ["images", "usage"] });
  return removed;
}
