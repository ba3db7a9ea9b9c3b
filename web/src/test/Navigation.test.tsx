import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { App } from "../App";
import ImageDetailPage from "../pages/ImageDetailPage";
import { matchRoute, navigate } from "../router";
import { FakeSocket, fakeApi, image, listOf, renderWith, signedInStore, storedVariants } from "./fakes";

describe("routes", () => {
  it("match every view", () => {
    expect(matchRoute("/")).toEqual({ name: "photos" });
    expect(matchRoute("/signin")).toEqual({ name: "signin" });
    expect(matchRoute("/images/abc")).toEqual({ name: "image", id: "abc" });
    expect(matchRoute("/images/abc/")).toEqual({ name: "image", id: "abc" });
    expect(matchRoute("/nope")).toEqual({ name: "unknown" });
  });
});

describe("photos by keyboard", () => {
  it("makes each photo a link that opens its own view, titled and focused on its heading", async () => {
    const photos = [image({ id: "p1", original_name: "one.jpg" }), image({ id: "p2", original_name: "two.jpg" })];
    navigate("/", { replace: true });
    const getImage = vi.fn(async (id: string) => photos.find((photo) => photo.id === id) ?? photos[0]!);
    renderWith(<App />, { api: fakeApi({ listImages: listOf(...photos), getImage }), store: signedInStore() });
    await waitFor(() => expect(document.title).toBe("Your photos · pixelflow"));
    expect(await screen.findByRole("heading", { name: "Your photos", level: 1 })).toHaveFocus();

    const uploads = screen.getByRole("region", { name: "Your uploads" });
    const links = within(uploads).getAllByRole("link");
    expect(links.map((link) => link.getAttribute("href"))).toEqual(["/images/p1", "/images/p2"]);
    await userEvent.setup().click(links[1] as HTMLElement);

    expect(window.location.pathname).toBe("/images/p2");
    const heading = await screen.findByRole("heading", { name: "two.jpg", level: 1 });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(document.title).toBe("two.jpg · pixelflow");

    // Back to the grid by its link: focus returns to the tile the view was opened from.
    await userEvent.setup().click(screen.getByRole("link", { name: "← All photos" }));
    expect(window.location.pathname).toBe("/");
    const back = within(await screen.findByRole("region", { name: "Your uploads" })).getAllByRole("link");
    await waitFor(() => expect(back[1]).toHaveFocus());
    navigate("/", { replace: true });
  });
});

describe("detail view", () => {
  it("shows the picture, dimensions, sizes, dates and a download", async () => {
    const done = image({
      id: "d1",
      status: "done",
      optimized_size_bytes: 50_000,
      optimized_url: "/api/images/d1/optimized",
      optimized_format: "webp",
      processed_at: "2026-11-23T08:01:00Z",
      variants: storedVariants("d1"),
    });
    const api = fakeApi({ getImage: vi.fn(async () => done) });
    renderWith(<ImageDetailPage id="d1" />, { api, store: signedInStore() });
    const view = await screen.findByRole("article", { name: "ladybird.jpg" });
    expect(within(view).getByText("480 × 300 px")).toBeInTheDocument();
    expect(within(view).getByText("75% smaller")).toBeInTheDocument();
    expect(within(view).getByText("Optimized on")).toBeInTheDocument();
    const picture = await within(view).findByRole("img", { name: "Optimized version of ladybird.jpg" });
    expect(picture).toHaveAttribute("srcset", "/l/d1/w320 320w, /l/d1/optimized 480w");
    const actions = within(view).getByRole("list", { name: "Actions" });
    await userEvent.setup().click(within(actions).getByRole("button", { name: "Download WebP" }));
    expect(api.createLink).toHaveBeenCalledWith("d1", "optimized", 60);
    expect(within(actions).getByRole("button", { name: "Download original" })).toBeInTheDocument();
  });

  it("says so when the photo is not there", async () => {
    const getImage = vi.fn(async () => Promise.reject(new ApiError(404, "image not found")));
    renderWith(<ImageDetailPage id="gone" />, { api: fakeApi({ getImage }), store: signedInStore() });
    const heading = await screen.findByRole("heading", { name: "Photo not found" });
    expect(heading).toHaveFocus();
    expect(getImage).toHaveBeenCalledTimes(1);
  });
});

describe("the deferred socket", () => {
  it("replays handlers and calls made before the client arrives", async () => {
    const real = new FakeSocket();
    vi.doMock("socket.io-client", () => ({ io: () => real }));
    const { openSocketIo } = await import("../liveSocket");
    const socket = openSocketIo(() => "token");
    const seen: string[] = [];
    // Registered before the client module has loaded: kept, then handed over.
    socket.on("connect", () => seen.push("connect"));
    expect(socket.connected).toBe(false);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    real.emit("connect");
    expect(seen).toEqual(["connect"]);
    expect(socket.connected).toBe(true);
    socket.disconnect();
    expect(real.connected).toBe(false);
    vi.doUnmock("socket.io-client");
  });
});
