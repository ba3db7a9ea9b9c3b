import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { Announcer } from "../announcer";
import { vi } from "vitest";
import type { Api } from "../api/client";
import type { ImageItem, Variant } from "../api/types";
import { SessionStore } from "../auth/store";
import { type LiveSocket, ServicesProvider } from "../services";

// Any handler takes `never`: the socket's overloads each narrow what their handler receives.
type Handler = (payload: never) => void;

export class FakeSocket implements LiveSocket {
  connected = false;
  private handlers = new Map<string, Handler[]>();

  on(event: string, handler: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }

  emit(event: string, payload?: unknown): void {
    if (event === "connect") this.connected = true;
    for (const handler of this.handlers.get(event) ?? []) (handler as (payload: unknown) => void)(payload);
  }

  connect(): this {
    return this;
  }

  disconnect(): this {
    this.connected = false;
    return this;
  }
}

export function image(overrides: Partial<ImageItem> = {}): ImageItem {
  return {
    id: "11111111-1111-1111-1111-111111111111",
    original_name: "ladybird.jpg",
    status: "processing",
    content_type: "image/jpeg",
    width: 480,
    height: 300,
    size_bytes: 200_000,
    optimized_size_bytes: null,
    uploaded_at: "2026-11-23T08:00:00Z",
    processed_at: null,
    error: null,
    optimized_url: null,
    downscaled: false,
    options: null,
    optimized_content_type: null,
    optimized_format: null,
    placeholder: null,
    original_has_location: false,
    variants: [],
    ...overrides,
  };
}

export function fakeApi(overrides: Partial<Api> = {}): Api {
  return {
    register: vi.fn(),
    login: vi.fn(),
    latestImage: vi.fn(async () => null),
    getImage: vi.fn(async (id: string) => image({ id })),
    listImages: vi.fn(async () => ({ items: [], next_cursor: null })),
    uploadImage: vi.fn(),
    usage: vi.fn(async () => ({ used_bytes: 0, quota_bytes: 1_000_000_000 })),
    createLink: vi.fn(async (imageId: string, variant: string) => ({
      url: `/l/${imageId}/${variant}`,
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
    })),
    deleteImage: vi.fn(async () => undefined),
    listSessions: vi.fn(async () => ({ items: [] })),
    endSession: vi.fn(async () => undefined),
    changePassword: vi.fn(async () => undefined),
    deleteAccount: vi.fn(async () => undefined),
    exportImages: vi.fn(async () => new Blob(["zip"])),
    ...overrides,
  };
}

export function signedInStore(): SessionStore {
  return new SessionStore({
    accessToken: "access",
    refreshToken: "refresh",
    expiresAt: Date.now() + 15 * 60_000,
    user: { id: "u1", email: "me@example.com" },
  });
}

export function renderWith(ui: ReactElement, { api = fakeApi(), store = new SessionStore(null), socket = new FakeSocket() } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const result = render(
    <QueryClientProvider client={client}>
      <ServicesProvider services={{ api, store, openSocket: () => socket }}>
        <Announcer>{ui}</Announcer>
      </ServicesProvider>
    </QueryClientProvider>,
  );
  return { ...result, api, store, socket, client };
}

/** A list of one page holding `items`, as `GET /api/images` answers. */
export const listOf = (...items: ImageItem[]) => vi.fn(async () => ({ items, next_cursor: null }));

/** Stands in for the blob fetch of optimized images (jsdom has no object URLs). */
/** What a done 480×300 image has stored: its thumbnail, one width and the full-size result. */
export function storedVariants(id: string): Variant[] {
  const variant = (name: string, width: number, height: number) => ({
    name,
    width,
    height,
    format: "webp",
    size_bytes: width * 40,
    url: `/api/images/${id}/variants/${name}`,
  });
  return [variant("thumbnail", 128, 128), variant("w320", 320, 200), variant("optimized", 480, 300)];
}
