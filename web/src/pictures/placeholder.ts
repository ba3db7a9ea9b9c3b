import { thumbHashToDataURL } from "thumbhash";

/** The image a thumbhash describes, as a data URL (a few hundred bytes); null when unreadable. */
export function placeholderDataUrl(hash: string | null): string | null {
  if (!hash) return null;
  try {
    const bytes = Uint8Array.from(atob(hash), (character) => character.charCodeAt(0));
    return thumbHashToDataURL(bytes);
  } catch {
    return null;
  }
}
