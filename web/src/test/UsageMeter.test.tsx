import { act, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import SignedIn from "../pages/SignedIn";
import { FakeSocket, fakeApi, image, listOf, renderWith, signedInStore } from "./fakes";

const home = <SignedIn route={{ name: "photos" }} />;

describe("storage usage", () => {
  it("shows the bytes used against the quota in a labelled meter", async () => {
    const api = fakeApi({ usage: vi.fn(async () => ({ used_bytes: 1_500_000, quota_bytes: 2_000_000 })) });
    renderWith(home, { api, store: signedInStore() });

    expect(await screen.findByText("1.5 MB of 2 MB used (75%)")).toBeInTheDocument();
    const meter = screen.getByRole("meter", { name: "Storage" });
    expect(meter).toHaveAttribute("max", "2000000");
    expect(meter).toHaveAttribute("value", "1500000");
    expect(meter).toHaveAttribute("aria-valuetext", "1.5 MB of 2 MB used (75%)");
    expect(screen.queryByText(/storage is full/)).not.toBeInTheDocument();
  });

  it("does not round a little use down to nothing", async () => {
    const api = fakeApi({ usage: vi.fn(async () => ({ used_bytes: 30_100, quota_bytes: 1_000_000_000 })) });
    renderWith(home, { api, store: signedInStore() });
    expect(await screen.findByText("30.1 KB of 1 GB used (<1%)")).toBeInTheDocument();
  });

  it("says when it is full, even past the quota (results are never refused)", async () => {
    const api = fakeApi({ usage: vi.fn(async () => ({ used_bytes: 2_100_000, quota_bytes: 2_000_000 })) });
    renderWith(home, { api, store: signedInStore() });

    expect(await screen.findByText("Your storage is full: new uploads are refused.")).toBeInTheDocument();
    const meter = screen.getByRole("meter", { name: "Storage" });
    expect(meter).toHaveAttribute("value", "2000000");
    expect(meter).toHaveAttribute("aria-valuetext", "2.1 MB of 2 MB used (100%)");
  });

  it("is fetched again when the latest photo's optimized file is stored", async () => {
    const processing = image({ status: "processing" });
    const usage = vi
      .fn()
      .mockResolvedValueOnce({ used_bytes: 200_000, quota_bytes: 1_000_000 })
      .mockResolvedValue({ used_bytes: 250_000, quota_bytes: 1_000_000 });
    const api = fakeApi({ listImages: listOf(processing), usage });
    const socket = new FakeSocket();
    renderWith(home, { api, socket, store: signedInStore() });

    expect(await screen.findByText("200 KB of 1 MB used (20%)")).toBeInTheDocument();
    act(() => socket.emit("connect"));
    act(() =>
      socket.emit("image.updated", { ...processing, status: "done", optimized_size_bytes: 50_000, optimized_url: "/x" }),
    );
    expect(await screen.findByText("250 KB of 1 MB used (25%)")).toBeInTheDocument();
    await waitFor(() => expect(usage).toHaveBeenCalledTimes(2));
    vi.unstubAllGlobals();
  });
});
