import { useQueries, useQuery } from "@tanstack/react-query";
import type { Api } from "../api/client";
import type { TemporaryLink } from "../api/types";
import { useServices } from "../services";

/** How long the links the app displays with stay valid: the server hands out the same URL for the
 * same variant within its window, so renewing keeps the browser's cache warm. */
export const DISPLAY_LINK_SECONDS = 3600;
/** Renew this long before a link expires, so an <img> never asks for a dead URL. */
const RENEW_MARGIN_MS = 5 * 60 * 1000;

export function renewalDelay(link: TemporaryLink, now: number = Date.now()): number {
  return Math.max(Date.parse(link.expires_at) - now - RENEW_MARGIN_MS, 1000);
}

// Links are remembered across reloads (they carry no token, only a grant to one file until they
// expire), so a reload, offline too, asks for the same URLs and the browser's cache answers.
const REMEMBERED = "pixelflow-links";

function rememberedLinks(): Record<string, TemporaryLink> {
  try {
    return JSON.parse(localStorage.getItem(REMEMBERED) ?? "{}") as Record<string, TemporaryLink>;
  } catch {
    return {};
  }
}

function remembered(key: string): TemporaryLink | undefined {
  const link = rememberedLinks()[key];
  return link && renewalDelay(link) > 1000 ? link : undefined;
}

function remember(key: string, link: TemporaryLink): void {
  const now = Date.now();
  const kept = Object.entries(rememberedLinks()).filter(([, known]) => Date.parse(known.expires_at) > now);
  try {
    localStorage.setItem(REMEMBERED, JSON.stringify(Object.fromEntries([...kept, [key, link]])));
  } catch {
    // Storage full or refused: links are only asked again.
  }
}

/** On sign-out: nothing of this person's stays in the browser. */
export function forgetLinks(): void {
  localStorage.removeItem(REMEMBERED);
}

function linkQuery(api: Api, imageId: string, variant: string) {
  const key = `${imageId}/${variant}`;
  return {
    queryKey: ["link", imageId, variant],
    queryFn: async () => {
      const link = await api.createLink(imageId, variant, DISPLAY_LINK_SECONDS);
      remember(key, link);
      return link;
    },
    initialData: () => remembered(key),
    staleTime: (query: { state: { data: TemporaryLink | undefined } }) =>
      query.state.data ? renewalDelay(query.state.data) : 0,
    refetchInterval: (query: { state: { data: TemporaryLink | undefined } }) =>
      query.state.data ? renewalDelay(query.state.data) : false,
  } as const;
}

/** A temporary link to `variant` of an image, renewed before it expires; undefined until known. */
export function useVariantLink(imageId: string, variant: string | null): string | undefined {
  const { api } = useServices();
  const link = useQuery({ ...linkQuery(api, imageId, variant ?? ""), enabled: variant !== null });
  return link.data?.url;
}

/** Links to several variants at once; undefined until every one is known. */
export function useVariantLinks(imageId: string, variants: string[]): string[] | undefined {
  const { api } = useServices();
  const links = useQueries({ queries: variants.map((variant) => linkQuery(api, imageId, variant)) });
  if (links.some((link) => link.data === undefined)) return undefined;
  return links.map((link) => link.data?.url ?? "");
}
