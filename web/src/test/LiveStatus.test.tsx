import { act, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import SignedIn from "../pages/SignedIn";
import { FakeSocket, fakeApi, image, listOf, renderWith, signedInStore, storedVariants } from "./fakes";

const home = <SignedIn route={{ name: "photos" }} />;

describe("live status", () => {
  it("changes the badge when image.updated arrives, without refetching, and says so once", async () => {
    const processing = image({ status: "processing" });
    const api = fakeApi({ listImages: listOf(processing) });
    const socket = new FakeSocket();
    renderWith(home, { api, socket, store: signedInStore() });

    const card = await screen.findByRole("article", { name: "ladybird.jpg" });
    expect(within(card).getByText("Optimizing…")).toBeInTheDocument();
    expect(screen.getByText("Connecting…")).toBeInTheDocument();
    act(() => socket.emit("connect"));
    expect(screen.getByText("Live")).toBeInTheDocument();

    act(() =>
      socket.emit("image.updated", { ...processing, status: "failed", error: "cannot convert this image: truncated" }),
    );
    // React Query notifies on its next tick: wait for it, but no request may happen meanwhile.
    await waitFor(() => expect(within(card).getByText("Failed")).toBeInTheDocument());
    expect(within(card).getByText("cannot convert this image: truncated")).toBeInTheDocument();
    expect(screen.getByTestId("announcer")).toHaveTextContent(
      "ladybird.jpg could not be optimized: cannot convert this image: truncated",
    );
    // One live region for the whole page: badges are not live regions of their own.
    expect(screen.getAllByRole("status")).toHaveLength(1);
    expect(api.listImages).toHaveBeenCalledTimes(1);
    expect(api.latestImage).not.toHaveBeenCalled();
  });

  it("ignores events about other images and refetches after a reconnection", async () => {
    const processing = image({ status: "processing" });
    const api = fakeApi({ listImages: listOf(processing) });
    const socket = new FakeSocket();
    renderWith(home, { api, socket, store: signedInStore() });
    const card = await screen.findByRole("article", { name: "ladybird.jpg" });
    act(() => socket.emit("connect"));
    act(() => socket.emit("image.updated", image({ id: "someone-else", status: "done" })));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(within(card).getByText("Optimizing…")).toBeInTheDocument();

    act(() => socket.emit("disconnect"));
    expect(screen.getByText("Offline")).toBeInTheDocument();
    expect(screen.getByTestId("announcer")).toHaveTextContent("Offline: live updates paused");
    act(() => socket.emit("connect"));
    expect(screen.getByTestId("announcer")).toHaveTextContent("Live updates are back on.");
    await waitFor(() => expect(api.listImages).toHaveBeenCalledTimes(2));
  });

  it("goes offline with the browser and reconnects when it is back", async () => {
    const socket = new FakeSocket();
    const connect = vi.spyOn(socket, "connect");
    const disconnect = vi.spyOn(socket, "disconnect");
    renderWith(home, { socket, store: signedInStore() });
    act(() => socket.emit("connect"));
    act(() => {
      window.dispatchEvent(new Event("offline"));
    });
    expect(disconnect).toHaveBeenCalledTimes(1);
    expect(screen.getByText("Offline")).toBeInTheDocument();
    act(() => {
      window.dispatchEvent(new Event("online"));
    });
    expect(connect).toHaveBeenCalledTimes(1);
  });

  it("renews the token and reconnects when the server closes the socket", async () => {
    const socket = new FakeSocket();
    const connect = vi.spyOn(socket, "connect");
    const store = signedInStore();
    const refresh = vi.spyOn(store, "refresh").mockResolvedValue(store.get());
    renderWith(home, { socket, store });
    act(() => socket.emit("connect"));
    act(() => socket.emit("disconnect", "transport close"));
    expect(refresh).not.toHaveBeenCalled();
    act(() => socket.emit("disconnect", "io server disconnect"));
    await waitFor(() => expect(connect).toHaveBeenCalledTimes(1));
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("shows sizes and the saving once done", async () => {
    const done = image({
      status: "done",
      optimized_size_bytes: 50_000,
      optimized_url: "/api/images/x/optimized",
      variants: storedVariants("x"),
    });
    renderWith(home, { api: fakeApi({ listImages: listOf(done) }), store: signedInStore() });
    const card = await screen.findByRole("article", { name: "ladybird.jpg" });
    expect(within(card).getByText("75% smaller")).toBeInTheDocument();
    expect(await within(card).findByRole("img")).toHaveAttribute("src", "/l/11111111-1111-1111-1111-111111111111/optimized");
    vi.unstubAllGlobals();
  });
});
