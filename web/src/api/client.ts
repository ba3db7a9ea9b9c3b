import type { SessionStore } from "../auth/store";
import { ApiError, errorFrom } from "./errors";
import type { ImageItem, ImagePage, SessionList, SessionReply, TemporaryLink, Usage } from "./types";

export interface Api {
  register(email: string, password: string, passwordConfirm: string): Promise<SessionReply>;
  login(email: string, password: string): Promise<SessionReply>;
  latestImage(): Promise<ImageItem | null>;
  getImage(id: string): Promise<ImageItem>;
  listImages(cursor: string | null, limit: number): Promise<ImagePage>;
  uploadImage(file: File, onProgress: (fraction: number) => void): Promise<ImageItem>;
  usage(): Promise<Usage>;
  /** A temporary link to one variant (or `original`) of an image, valid `expiresIn` seconds. */
  createLink(imageId: string, variant: string, expiresIn: number): Promise<TemporaryLink>;
  deleteImage(id: string): Promise<void>;
  listSessions(): Promise<SessionList>;
  endSession(id: string): Promise<void>;
  changePassword(currentPassword: string, newPassword: string): Promise<void>;
  deleteAccount(password: string): Promise<void>;
  /** The account's ZIP, as a blob; `onProgress` gets the bytes received so far (the size is not known ahead). */
  exportImages(onProgress: (received: number) => void): Promise<Blob>;
}

export function createApi(store: SessionStore): Api {
  async function send(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
    const session = store.get();
    const headers = new Headers(init.headers);
    if (session) headers.set("Authorization", `Bearer ${session.accessToken}`);
    const response = await fetch(path, { ...init, headers });
    if (response.status === 401 && session && !retried && (await store.refresh())) {
      return send(path, init, true);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  const sendJson = (method: string, path: string, body: unknown): Promise<Response> =>
    send(path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

  const postJson = async <T>(path: string, body: unknown): Promise<T> =>
    (await (await send(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })).json()) as T;

  function uploadOnce(file: File, onProgress: (fraction: number) => void): Promise<XMLHttpRequest> {
    // XMLHttpRequest, not fetch: only it reports upload progress.
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      request.open("POST", "/api/images");
      const session = store.get();
      if (session) request.setRequestHeader("Authorization", `Bearer ${session.accessToken}`);
      request.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      request.onload = () => resolve(request);
      request.onerror = () => reject(new ApiError(0, "The upload failed: check your connection and try again."));
      const form = new FormData();
      form.append("file", file, file.name);
      request.send(form);
    });
  }

  return {
    register: (email, password, passwordConfirm) =>
      postJson("/api/auth/register", { email, password, password_confirm: passwordConfirm }),
    login: (email, password) => postJson("/api/auth/login", { email, password }),
    async latestImage() {
      try {
        return (await (await send("/api/images/latest")).json()) as ImageItem;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    getImage: async (id) => (await (await send(`/api/images/${encodeURIComponent(id)}`)).json()) as ImageItem,
    async listImages(cursor, limit) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (cursor) query.set("cursor", cursor);
      return (await (await send(`/api/images?${query}`)).json()) as ImagePage;
    },
    async uploadImage(file, onProgress) {
      let request = await uploadOnce(file, onProgress);
      if (request.status === 401 && (await store.refresh())) request = await uploadOnce(file, onProgress);
      const response = new Response(request.responseText || null, {
        status: request.status,
        headers: { "Content-Type": "application/json", "Retry-After": request.getResponseHeader("Retry-After") ?? "" },
      });
      if (!response.ok) throw await errorFrom(response);
      return (await response.json()) as ImageItem;
    },
    usage: async () => (await (await send("/api/usage")).json()) as Usage,
    createLink: (imageId, variant, expiresIn) =>
      postJson(`/api/images/${encodeURIComponent(imageId)}/links`, { variant, expires_in: expiresIn }),
    async deleteImage(id) {
      await send(`/api/images/${encodeURIComponent(id)}`, { method: "DELETE" });
    },
    listSessions: async () => (await (await send("/api/auth/sessions")).json()) as SessionList,
    async endSession(id) {
      await send(`/api/auth/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
    },
    async changePassword(currentPassword, newPassword) {
      await sendJson("POST", "/api/auth/password", { current_password: currentPassword, new_password: newPassword });
    },
    async deleteAccount(password) {
      await sendJson("DELETE", "/api/auth/me", { password });
    },
    async exportImages(onProgress) {
      // Fetched with the token (a plain link could not send it), read chunk by chunk to report progress.
      const response = await send("/api/images/export");
      if (!response.body) return response.blob();
      const reader = response.body.getReader();
      const parts: Uint8Array<ArrayBuffer>[] = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        received += value.byteLength;
        onProgress(received);
      }
      return new Blob(parts, { type: "application/zip" });
    },
  };
}
