import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { MainPage } from "../pages/MainPage";
import { FakeSocket, fakeApi, image, renderWith, signedInStore } from "./fakes";

describe("live status", () => {
  it("changes the badge when image.updated arrives, without refetching", async () => {
    const processing = image({ status: "processing" });
    const api = fakeApi({ latestImage: vi.fn(async () => processing) });
    const socket = new FakeSocket();
    renderWith(<MainPage />, { api, socket, store: signedInStore() });

    const card = await screen.findByRole("article", { name: "ladybird.jpg" });
    expect(within(card).getByRole("status")).toHaveTextContent("Optimizing…");
    act(() => socket.emit("connect"));
    expect(screen.getByText("Live")).toBeInTheDocument();

    act(() =>
      socket.emit("image.updated", { ...processing, status: "failed", error: "cannot convert this image: truncated" }),
    );
    // React Query notifies on its next tick: wait for it, but no request may happen meanwhile.
    await waitFor(() => expect(within(card).getByRole("status")).toHaveTextContent("Failed"));
    expect(within(card).getByRole("alert")).toHaveTextContent("cannot convert this image: truncated");
    expect(api.latestImage).toHaveBeenCalledTimes(1);
  });

  it("ignores events about other images and refetches after a reconnection", async () => {
    const processing = image({ status: "processing" });
    const api = fakeApi({ latestImage: vi.fn(async () => processing) });
    const socket = new FakeSocket();
    renderWith(<MainPage />, { api, socket, store: signedInStore() });
    const card = await screen.findByRole("article", { name: "ladybird.jpg" });
    act(() => socket.emit("connect"));
    act(() => socket.emit("image.updated", image({ id: "someone-else", status: "done" })));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(within(card).getByRole("status")).toHaveTextContent("Optimizing…");

    act(() => socket.emit("disconnect"));
    expect(screen.getByText("Offline")).toBeInTheDocument();
    act(() => socket.emit("connect"));
    await waitFor(() => expect(api.latestImage).toHaveBeenCalledTimes(2));
  });

  it("renews the token and reconnects when the server closes the socket", async () => {
    const socket = new FakeSocket();
    const connect = vi.spyOn(socket, "connect");
    const store = signedInStore();
    const refresh = vi.spyOn(store, "refresh").mockResolvedValue(store.get());
    renderWith(<MainPage />, { socket, store });
    act(() => socket.emit("connect"));
    act(() => socket.emit("disconnect", "transport close"));
    expect(refresh).not.toHaveBeenCalled();
    act(() => socket.emit("disconnect", "io server disconnect"));
    await waitFor(() => expect(connect).toHaveBeenCalledTimes(1));
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("shows sizes and the saving once done", async () => {
    const done = image({ status: "done", optimized_size_bytes: 50_000, optimized_url: "/api/images/x/optimized" });
    vi.stubGlobal("fetch", vi.fn(async () => new Response("webp", { status: 200 })));
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:fake", revokeObjectURL: () => undefined }));
    renderWith(<MainPage />, { api: fakeApi({ latestImage: vi.fn(async () => done) }), store: signedInStore() });
    const card = await screen.findByRole("article", { name: "ladybird.jpg" });
    expect(within(card).getByText("75% smaller")).toBeInTheDocument();
    expect(await within(card).findByRole("img")).toHaveAttribute("src", "blob:fake");
    vi.unstubAllGlobals();
  });
});
