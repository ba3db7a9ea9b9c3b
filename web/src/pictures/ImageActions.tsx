import { useId, useState } from "react";
import type { ImageItem, TemporaryLink } from "../api/types";
import { useAnnounce } from "../announcer";
import { DeleteImageButton } from "../components/DeleteImageButton";
import { useServices } from "../services";
import { variantNamed } from "./variants";

/** The validities a person can pick for a shared link, in seconds. */
export const LINK_VALIDITIES = [
  { label: "1 hour", seconds: 3600 },
  { label: "1 day", seconds: 86_400 },
  { label: "7 days", seconds: 604_800 },
] as const;
/** The shortest link the server makes: enough to start a download. */
const DOWNLOAD_LINK_SECONDS = 60;

type Target = "optimized" | "original";

const FORMAT_NAMES: Record<string, string> = { webp: "WebP", avif: "AVIF", jpeg: "JPEG", png: "PNG" };

function startDownload(url: string): void {
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.rel = "noreferrer";
  anchor.download = "";
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
}

/**
 * What can be done with one image: download its result or its original, and copy a link that
 * works without signing in, each through a temporary link that carries no session. Later actions
 * (delete, convert again) are more items of this same list.
 */
export function ImageActions({ image }: { image: ImageItem }) {
  const { api } = useServices();
  const announce = useAnnounce();
  const id = useId();
  const hasResult = variantNamed(image, "optimized") !== undefined;
  const [target, setTarget] = useState<Target>(hasResult ? "optimized" : "original");
  const [validity, setValidity] = useState<number>(LINK_VALIDITIES[0].seconds);
  const [confirmingLocation, setConfirmingLocation] = useState(false);
  const [copied, setCopied] = useState<TemporaryLink | null>(null);
  const [manualCopy, setManualCopy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function download(variant: Target) {
    setError(null);
    try {
      startDownload((await api.createLink(image.id, variant, DOWNLOAD_LINK_SECONDS)).url);
    } catch {
      setError("The download could not start. Try again.");
    }
  }

  async function copy() {
    setError(null);
    setConfirmingLocation(false);
    try {
      const link = await api.createLink(image.id, target, validity);
      const absolute = new URL(link.url, window.location.origin).toString();
      try {
        await navigator.clipboard.writeText(absolute);
        setManualCopy(null);
        announce(`Link copied, valid until ${new Date(link.expires_at).toLocaleString()}.`);
      } catch {
        setManualCopy(absolute);
      }
      setCopied(link);
    } catch {
      setError("The link could not be made. Try again.");
    }
  }

  function askToCopy() {
    if (target === "original" && image.original_has_location) setConfirmingLocation(true);
    else void copy();
  }

  return (
    <>
      <ul className="actions" aria-label="Actions">
        <li>
          {hasResult ? (
            <button type="button" className="button" onClick={() => void download("optimized")}>
              Download {FORMAT_NAMES[image.optimized_format ?? ""] ?? "result"}
            </button>
          ) : (
            <span className="hint">
              {image.status === "failed" ? "No result to download." : "The result is ready once optimized."}
            </span>
          )}
        </li>
        <li>
          <button type="button" className="button" onClick={() => void download("original")}>
            Download original
          </button>
        </li>
        <li>
          <DeleteImageButton image={image} />
        </li>
      </ul>
      <fieldset className="share-link">
        <legend>Share a link (works without signing in)</legend>
        <label htmlFor={`${id}-target`}>Link to</label>
        <select id={`${id}-target`} value={target} onChange={(event) => setTarget(event.target.value as Target)}>
          <option value="optimized" disabled={!hasResult}>
            Optimized image
          </option>
          <option value="original">Original file</option>
        </select>
        <label htmlFor={`${id}-validity`}>Valid for</label>
        <select id={`${id}-validity`} value={validity} onChange={(event) => setValidity(Number(event.target.value))}>
          {LINK_VALIDITIES.map((choice) => (
            <option key={choice.seconds} value={choice.seconds}>
              {choice.label}
            </option>
          ))}
        </select>
        <button type="button" onClick={askToCopy} disabled={target === "optimized" && !hasResult}>
          Copy link
        </button>
        {confirmingLocation ? (
          <div role="alertdialog" aria-labelledby={`${id}-location`} className="location-warning">
            <p id={`${id}-location`}>
              This original contains the place where the photo was taken (GPS). Anyone with the link can read it.
              The optimized image has no location.
            </p>
            <button type="button" onClick={() => void copy()}>
              Copy anyway
            </button>{" "}
            <button type="button" onClick={() => setConfirmingLocation(false)} autoFocus>
              Cancel
            </button>
          </div>
        ) : null}
        {copied ? (
          <p className="link-copied">
            {manualCopy ? "Copy this link" : "Link copied"}, valid until {new Date(copied.expires_at).toLocaleString()}.
          </p>
        ) : null}
        {manualCopy ? (
          <input readOnly aria-label="Temporary link" value={manualCopy} onFocus={(event) => event.target.select()} />
        ) : null}
      </fieldset>
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
    </>
  );
}
