import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { App } from "../App";
import { describeAgent } from "../components/SessionList";
import AccountPage from "../pages/AccountPage";
import ImageDetailPage from "../pages/ImageDetailPage";
import { navigate } from "../router";
import { fakeApi, image, listOf, renderWith, signedInStore } from "./fakes";

const CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";

describe("deleting a photo", () => {
  it("asks first, focusing the harmless answer, and Escape puts focus back on Delete", async () => {
    const api = fakeApi({ getImage: vi.fn(async () => image({ id: "d1" })) });
    renderWith(<ImageDetailPage id="d1" />, { api, store: signedInStore() });
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const question = screen.getByRole("group", { name: /Delete “ladybird.jpg” for good\?/ });
    const keep = within(question).getByRole("button", { name: "Keep it" });
    expect(keep).toHaveFocus();
    expect(keep).toHaveAccessibleDescription(/cannot be undone/);
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete" })).toHaveFocus());
    expect(api.deleteImage).not.toHaveBeenCalled();
  });

  it("removes it from the grid and the latest card, and says so", async () => {
    let photos = [image({ id: "p1", original_name: "one.jpg" }), image({ id: "p2", original_name: "two.jpg" })];
    // Opened from the grid: the list is cached when the view appears.
    navigate("/", { replace: true });
    const api = fakeApi({
      listImages: vi.fn(async () => ({ items: photos, next_cursor: null })),
      getImage: vi.fn(async (id: string) => photos.find((p) => p.id === id)!),
      deleteImage: vi.fn(async (id: string) => {
        photos = photos.filter((p) => p.id !== id);
      }),
    });
    renderWith(<App />, { api, store: signedInStore() });
    await waitFor(() => expect(screen.getAllByRole("link", { name: /one\.jpg/ }).length).toBeGreaterThan(0));
    act(() => navigate("/images/p1"));
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    await user.click(screen.getByRole("button", { name: "Delete for good" }));

    expect(api.deleteImage).toHaveBeenCalledWith("p1");
    await waitFor(() => expect(window.location.pathname).toBe("/"));
    expect(await screen.findByRole("heading", { name: "Your photos", level: 1 })).toHaveFocus();
    const uploads = await screen.findByRole("region", { name: "Your uploads" });
    expect(within(uploads).getAllByRole("link").map((link) => link.getAttribute("href"))).toEqual(["/images/p2"]);
    expect(screen.queryByRole("article", { name: "one.jpg" })).toBeNull();
    expect(screen.getAllByTestId("announcer")[0]).toHaveTextContent("one.jpg deleted.");
  });

  it("drops a photo deleted in another tab", async () => {
    const photos = [image({ id: "p1", original_name: "one.jpg" }), image({ id: "p2", original_name: "two.jpg" })];
    navigate("/", { replace: true });
    const { socket } = renderWith(<App />, { api: fakeApi({ listImages: listOf(...photos) }), store: signedInStore() });
    const uploads = await screen.findByRole("region", { name: "Your uploads" });
    await waitFor(() => expect(within(uploads).getAllByRole("link")).toHaveLength(2));
    act(() => socket.emit("image.deleted", { id: "p2" }));
    await waitFor(() => expect(within(uploads).getAllByRole("link")).toHaveLength(1));
    expect(screen.getAllByTestId("announcer")[0]).toHaveTextContent("two.jpg was deleted.");
  });
});

describe("the account page", () => {
  it("is linked from the header, titled, and focused on its heading", async () => {
    navigate("/", { replace: true });
    renderWith(<App />, { store: signedInStore() });
    await userEvent.setup().click(await screen.findByRole("link", { name: "Account" }));
    expect(window.location.pathname).toBe("/account");
    expect(await screen.findByRole("heading", { name: "Your account", level: 1 })).toHaveFocus();
    expect(document.title).toBe("Your account · pixelflow");
    expect(screen.getByRole("link", { name: "Account" })).toHaveAttribute("aria-current", "page");
    navigate("/", { replace: true });
  });

  it("shows the password form's errors at their fields, the server's too", async () => {
    const changePassword = vi.fn(async () => Promise.reject(new ApiError(403, "wrong password")));
    renderWith(<AccountPage />, { api: fakeApi({ changePassword }), store: signedInStore() });
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Change password" }));
    const current = screen.getByLabelText("Current password");
    expect(current).toHaveFocus();
    expect(current).toHaveAccessibleDescription("Enter your current password.");
    expect(screen.getByLabelText("New password")).toHaveAccessibleDescription("Use at least 8 characters.");
    expect(changePassword).not.toHaveBeenCalled();

    await user.type(current, "not it");
    await user.type(screen.getByLabelText("New password"), "a new long password");
    await user.type(screen.getByLabelText("Confirm new password"), "a new long password");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(changePassword).toHaveBeenCalledWith("not it", "a new long password");
    await waitFor(() => expect(current).toHaveAccessibleDescription("That is not your current password."));
    expect(current).toHaveFocus();
  });

  it("lists the sessions with this device marked and signs one out", async () => {
    const items = [
      { id: "s1", created_at: "2026-11-20T08:00:00Z", last_used_at: "2026-11-25T08:00:00Z", user_agent: CHROME, current: true },
      { id: "s2", created_at: "2026-11-21T08:00:00Z", last_used_at: null, user_agent: FIREFOX, current: false },
    ];
    const listSessions = vi.fn(async () => ({ items }));
    const api = fakeApi({ listSessions });
    renderWith(<AccountPage />, { api, store: signedInStore() });
    const list = await screen.findByRole("list", { name: "Signed-in sessions" });
    const [mine, other] = within(list).getAllByRole("listitem");
    expect(mine).toHaveTextContent("Chrome on Linux · This device");
    expect(other).toHaveTextContent("Firefox on Windows");
    expect(other).not.toHaveTextContent("This device");
    const button = within(other!).getByRole("button", { name: "Sign out" });
    expect(button).toHaveAccessibleDescription(/Firefox on Windows/);
    await userEvent.setup().click(button);
    expect(api.endSession).toHaveBeenCalledWith("s2");
    await waitFor(() => expect(screen.getByRole("heading", { name: "Signed-in sessions" })).toHaveFocus());
    expect(screen.getByTestId("announcer")).toHaveTextContent("Signed out Firefox on Windows.");
    expect(listSessions).toHaveBeenCalledTimes(2);
  });

  it("signs out everywhere", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", fetch);
    const { store } = renderWith(<AccountPage />, { store: signedInStore() });
    await userEvent.setup().click(screen.getByRole("button", { name: "Sign out everywhere" }));
    expect(store.get()).toBeNull();
    expect(window.location.pathname).toBe("/signin");
    expect(fetch).toHaveBeenCalledWith("/api/auth/logout", expect.objectContaining({ body: JSON.stringify({ everywhere: true }) }));
    vi.unstubAllGlobals();
  });

  it("downloads the export as a file, showing the bytes received", async () => {
    let finish: (blob: Blob) => void = () => undefined;
    const exportImages = vi.fn(
      (onProgress: (received: number) => void) =>
        new Promise<Blob>((resolve) => {
          onProgress(2_500_000);
          finish = resolve;
        }),
    );
    const createObjectURL = vi.fn(() => "blob:zip");
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL: () => undefined }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    renderWith(<AccountPage />, { api: fakeApi({ exportImages }), store: signedInStore() });
    await userEvent.setup().click(screen.getByRole("button", { name: "Download all my photos (ZIP)" }));
    expect(await screen.findByRole("progressbar", { name: "Downloading the archive" })).toBeInTheDocument();
    expect(screen.getByText("2.5 MB received")).toBeInTheDocument();
    await act(async () => finish(new Blob(["PK"], { type: "application/zip" })));
    await waitFor(() => expect(click).toHaveBeenCalledTimes(1));
    expect(createObjectURL).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId("announcer")).toHaveTextContent("Your archive is ready (2 B).");
    click.mockRestore();
    vi.unstubAllGlobals();
  });

  it("deletes the account only with the password, and then forgets the session", async () => {
    const deleteAccount = vi
      .fn<(password: string) => Promise<void>>()
      .mockRejectedValueOnce(new ApiError(403, "wrong password"))
      .mockResolvedValueOnce(undefined);
    const { store } = renderWith(<AccountPage />, { api: fakeApi({ deleteAccount }), store: signedInStore() });
    expect(screen.getByText(/Every photo you uploaded, its original and every optimized file, is deleted/)).toBeInTheDocument();
    const user = userEvent.setup();
    const submit = screen.getByRole("button", { name: "Delete my account and photos" });
    await user.click(submit);
    const password = screen.getByLabelText("Your password, to confirm");
    expect(password).toHaveFocus();
    expect(deleteAccount).not.toHaveBeenCalled();

    await user.type(password, "wrong");
    await user.click(submit);
    await waitFor(() => expect(password).toHaveAccessibleDescription("That is not your current password."));
    expect(store.get()).not.toBeNull();

    await user.clear(password);
    await user.type(password, "right one");
    await user.click(submit);
    await waitFor(() => expect(store.get()).toBeNull());
    expect(deleteAccount).toHaveBeenLastCalledWith("right one");
    expect(window.location.pathname).toBe("/signin");
  });
});

describe("user agents", () => {
  it("are said in words when known", () => {
    expect(describeAgent(CHROME)).toBe("Chrome on Linux");
    expect(describeAgent("")).toBe("Unknown browser");
    expect(describeAgent("curl/8.0")).toBe("curl/8.0");
  });
});
