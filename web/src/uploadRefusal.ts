import { ApiError } from "./api/errors";
import { formatBytes } from "./format";

export const ACCEPTED_FORMATS = "JPEG, PNG, WebP, GIF, TIFF, HEIC or AVIF";

/** "52,428,800 bytes" in a server message reads better as "52.4 MB". */
function humanNumbers(detail: string): string {
  return detail
    .replace(/(\d[\d,]*) bytes/g, (_, digits: string) => formatBytes(Number(digits.replaceAll(",", ""))))
    .replace(/(\d[\d,]*) pixels/g, (_, digits: string) => `${(Number(digits.replaceAll(",", "")) / 1e6).toLocaleString(undefined, { maximumFractionDigits: 1 })} megapixels`);
}

const sentence = (text: string): string => {
  const trimmed = text.trim().replace(/[.\s]+$/, "");
  return trimmed ? `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.` : "";
};

/**
 * Why one file was not uploaded, in words a person understands: what happened to which file,
 * then the server's own reason (its numbers made readable), so nothing it said is lost.
 */
export function describeRefusal(fileName: string, error: unknown): string {
  const name = `“${fileName}”`;
  if (!(error instanceof ApiError)) return `${name} was not uploaded: something went wrong. Please try again.`;
  const reason = sentence(humanNumbers(error.message));
  switch (error.status) {
    case 0:
      return `${name} was not uploaded: the connection failed. Check it and try again.`;
    case 401:
      return `${name} was not uploaded: your session has ended. Sign in again and retry.`;
    case 413:
      return /quota/i.test(error.message)
        ? `${name} does not fit in your storage. ${reason}`
        : `${name} is too large to upload. ${reason}`;
    case 415:
      return `${name} is not a photo pixelflow can read. Use ${ACCEPTED_FORMATS}.`;
    case 422:
      return `${name} could not be accepted. ${reason}`;
    case 429: {
      const wait = error.retryAfter ? `in ${error.retryAfter} seconds` : "in a minute";
      return `${name} was not uploaded: too many uploads at once. Try again ${wait}.`;
    }
    default:
      return error.status >= 500
        ? `${name} was not uploaded: the service is having trouble. Try again in a moment.`
        : `${name} was not uploaded. ${reason}`;
  }
}
