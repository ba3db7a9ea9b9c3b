import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { rgbaToThumbHash } from "thumbhash";
import { describe, expect, it } from "vitest";
import type { Variant } from "../api/types";
import { ImageActions } from "../pictures/ImageActions";
import { renewalDelay } from "../pictures/links";
import { ImagePicture } from "../components/ImagePicture";
import { placeholderDataUrl } from "../pictures/placeholder";
import { fakeApi, image, renderWith, signedInStore } from "./fakes";

function variant(name: string, width: number, height: number): Variant {
  return { name, width, height, format: "webp", size_bytes: width * 10, url: `/api/images/x/variants/${name}` };
}

function redThumbHash(): string {
  const rgba = new Uint8Array(8 * 8 * 4).map((_, index) => (index % 4 === 0 || index % 4 === 3 ? 255 : 0));
  return btoa(String.fromCharCode(...rgbaToThumbHash(8, 8, rgba)));
}

const done = image({
  status: "done",
  width: 3000,
  height: 2000,
  placeholder: redThumbHash(),
  variants: [variant("optimized", 3000, 2000), variant("w640", 640, 427), variant("thumbnail", 128, 128), variant("w320", 320, 213)],
});

describe("pictures", () => {
  it("renews a link five minutes before it expires, never sooner than a second", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    expect(renewalDelay({ url: "/l", expires_at: "2026-11-25T13:00:00Z" }, now)).toBe(55 * 60_000);
    expect(renewalDelay({ url: "/l", expires_at: "2026-11-25T12:01:00Z" }, now)).toBe(1000);
  });

  it("turns a thumbhash into a data URL, and nonsense into nothing", () => {
    expect(placeholderDataUrl(redThumbHash())).toMatch(/^data:image\/png;base64,/);
    expect(placeholderDataUrl("not base64 at all!")).toBeNull();
    expect(placeholderDataUrl(null)).toBeNull();
  });

  it("paints the placeholder, then fills a grid square from the thumbnail and small widths", async () => {
    const api = fakeApi();
    const { container } = renderWith(<ImagePicture image={done} fit="cover" alt="" />, { api, store: signedInStore() });
    expect((container.firstChild as HTMLElement).style.backgroundImage).toContain("data:image/png;base64,");
    await waitFor(() => expect(container.querySelector("img")).not.toBeNull());
    const img = container.querySelector("img") as HTMLImageElement;
    expect(img).toHaveAttribute("srcset", `/l/${done.id}/thumbnail 128w, /l/${done.id}/w320 320w, /l/${done.id}/w640 640w`);
    expect(img).toHaveAttribute("loading", "lazy");
    expect(img.getAttribute("sizes")).toContain("vw");
    expect(api.createLink).toHaveBeenCalledWith(done.id, "thumbnail", 3600);
  });

  it("shows the whole picture from every width narrowest first, never the square thumbnail", async () => {
    renderWith(<ImagePicture image={done} fit="contain" />, { store: signedInStore() });
    const img = await screen.findByRole("img", { name: "Optimized version of ladybird.jpg" });
    expect(img).toHaveAttribute(
      "srcset",
      `/l/${done.id}/w320 320w, /l/${done.id}/w640 640w, /l/${done.id}/optimized 3000w`,
    );
    expect(img).toHaveAttribute("width", "3000");
  });

  it("shows the thumbnail while it is all there is (processing)", async () => {
    const early = { ...done, status: "processing" as const, variants: [variant("thumbnail", 128, 128)] };
    renderWith(<ImagePicture image={early} fit="contain" />, { store: signedInStore() });
    const img = await screen.findByRole("img", { name: "Optimized version of ladybird.jpg" });
    expect(img).toHaveAttribute("srcset", `/l/${done.id}/thumbnail 128w`);
  });

  it("warns before copying a link to an original that holds a location", async () => {
    const api = fakeApi();
    renderWith(<ImageActions image={{ ...done, original_has_location: true }} />, { api, store: signedInStore() });
    const user = userEvent.setup(); // its clipboard stands in for the browser's

    await user.selectOptions(screen.getByLabelText("Link to"), "original");
    await user.selectOptions(screen.getByLabelText("Valid for"), "1 day");
    await user.click(screen.getByRole("button", { name: "Copy link" }));
    expect(screen.getByRole("alertdialog")).toHaveTextContent("GPS");
    expect(api.createLink).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Copy anyway" }));
    expect(await screen.findByText(/Link copied, valid until/, { selector: "p" })).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(`${window.location.origin}/l/${done.id}/original`);
    expect(api.createLink).toHaveBeenCalledWith(done.id, "original", 86_400);
  });

  it("copies a link to the optimized image without a warning", async () => {
    renderWith(<ImageActions image={{ ...done, original_has_location: true }} />, { store: signedInStore() });
    await userEvent.setup().click(screen.getByRole("button", { name: "Copy link" }));
    expect(await screen.findByText(/Link copied, valid until/, { selector: "p" })).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(`${window.location.origin}/l/${done.id}/optimized`);
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
  });
});
