import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import type { ImageItem } from "../api/types";
import { Announcer, useAnnounce } from "../announcer";
import { UploadPanel } from "../components/UploadPanel";
import { UploadsProvider } from "../uploads";
import { fakeApi, image, renderWith, signedInStore } from "./fakes";

const panel = (
  <UploadsProvider>
    <UploadPanel />
  </UploadsProvider>
);
const photo = (name: string) => new File(["x"], name, { type: "image/jpeg" });

describe("upload panel", () => {
  it("uploads every file picked, one after another, and says how it went once", async () => {
    const uploadImage = vi.fn(async (file: File) => image({ id: file.name, original_name: file.name, status: "queued" }));
    const { container } = renderWith(panel, { api: fakeApi({ uploadImage }), store: signedInStore() });
    const input = container.querySelector<HTMLInputElement>("input[type=file]");
    expect(input).toHaveAttribute("multiple");
    // No Tab stop, nothing for a screen reader: the button is the control.
    expect(input).not.toBeVisible();
    const user = userEvent.setup();
    if (!input) throw new Error("no file input");
    await user.upload(input, [photo("a.jpg"), photo("b.jpg"), photo("c.jpg")]);

    await waitFor(() => expect(screen.getByTestId("announcer")).toHaveTextContent("3 photos uploaded, now optimizing."));
    expect(uploadImage.mock.calls.map(([file]) => file.name)).toEqual(["a.jpg", "b.jpg", "c.jpg"]);
  });

  it("shows a refusal in words with the server's reason, and goes on with the rest", async () => {
    const uploadImage = vi.fn(async (file: File): Promise<ImageItem> => {
      if (file.name === "huge.jpg") throw new ApiError(413, "file is larger than the limit of 52,428,800 bytes");
      return image({ original_name: file.name });
    });
    const { container } = renderWith(panel, { api: fakeApi({ uploadImage }), store: signedInStore() });
    const input = container.querySelector<HTMLInputElement>("input[type=file]");
    if (!input) throw new Error("no file input");
    await userEvent.setup().upload(input, [photo("huge.jpg"), photo("ok.jpg")]);

    const refusals = await screen.findByRole("list", { name: "Not uploaded" });
    expect(refusals).toHaveTextContent("“huge.jpg” is too large to upload. File is larger than the limit of 52.4 MB.");
    await waitFor(() => expect(uploadImage).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(screen.getByTestId("announcer")).toHaveTextContent("1 photo uploaded, now optimizing. “huge.jpg” is too large"));
  });

  it("keeps its button usable while sending, and gives focus back to it afterwards", async () => {
    let finish: (value: ImageItem) => void = () => undefined;
    const uploadImage = vi.fn(() => new Promise<ImageItem>((resolve) => (finish = resolve)));
    const { container } = renderWith(panel, { api: fakeApi({ uploadImage }), store: signedInStore() });
    const input = container.querySelector<HTMLInputElement>("input[type=file]");
    if (!input) throw new Error("no file input");
    await userEvent.setup().upload(input, photo("a.jpg"));

    expect(screen.getByRole("progressbar", { name: "Uploading a.jpg" })).toBeInTheDocument();
    const button = screen.getByRole("button", { name: "Add more photos" });
    expect(button).toBeEnabled();
    (document.activeElement as HTMLElement | null)?.blur();
    finish(image());
    await waitFor(() => expect(screen.getByRole("button", { name: "Choose photos" })).toHaveFocus());
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
  });

  it("leaves focus where the person is busy when the upload ends", async () => {
    let finish: (value: ImageItem) => void = () => undefined;
    const uploadImage = vi.fn(() => new Promise<ImageItem>((resolve) => (finish = resolve)));
    const { container } = renderWith(
      <>
        <UploadsProvider>
          <UploadPanel />
        </UploadsProvider>
        <a href="/elsewhere">Elsewhere</a>
      </>,
      { api: fakeApi({ uploadImage }), store: signedInStore() },
    );
    const input = container.querySelector<HTMLInputElement>("input[type=file]");
    if (!input) throw new Error("no file input");
    await userEvent.setup().upload(input, photo("a.jpg"));
    const elsewhere = screen.getByRole("link", { name: "Elsewhere" });
    elsewhere.focus();
    finish(image());
    await waitFor(() => expect(screen.queryByRole("progressbar")).not.toBeInTheDocument());
    expect(elsewhere).toHaveFocus();
  });

  it("names the formats, AVIF and HEIC among them", () => {
    renderWith(panel, { store: signedInStore() });
    expect(screen.getByRole("button", { name: "Choose photos" })).toHaveAccessibleDescription(
      "Drop them here, paste, or choose files: JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF.",
    );
  });

  it("uploads every file dropped on it", async () => {
    const uploadImage = vi.fn(async (file: File) => image({ id: file.name, original_name: file.name }));
    renderWith(panel, { api: fakeApi({ uploadImage }), store: signedInStore() });
    const zone = screen.getByRole("region", { name: "Upload photos" });
    fireEvent.drop(zone, { dataTransfer: { files: [photo("a.jpg"), photo("b.heic")] } });
    await waitFor(() => expect(uploadImage).toHaveBeenCalledTimes(2));
    expect(uploadImage.mock.calls.map(([file]) => file.name)).toEqual(["a.jpg", "b.heic"]);
  });
});

describe("announcer", () => {
  it("is the one polite region, and says the same message again when it is repeated", () => {
    let announce: (text: string) => void = () => undefined;
    function Speaker() {
      announce = useAnnounce();
      return null;
    }
    render(
      <Announcer>
        <Speaker />
      </Announcer>,
    );
    const region = screen.getByRole("status");
    expect(region).toHaveAttribute("aria-live", "polite");
    act(() => announce("Uploading a.jpg."));
    const first = region.textContent;
    act(() => announce("Uploading a.jpg."));
    expect(region.textContent).not.toBe(first);
    expect(region).toHaveTextContent("Uploading a.jpg.");
  });
});
