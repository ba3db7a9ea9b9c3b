import type { ImageItem } from "../api/types";
import { formatBytes, formatDate, savings } from "../format";

/** What is known about an image as a definition list; `detailed` adds what only the detail view shows. */
export function ImageFacts({ image, detailed = false }: { image: ImageItem; detailed?: boolean }) {
  const optimized = image.optimized_size_bytes;
  return (
    <dl className="facts">
      <dt>Uploaded</dt>
      <dd>{formatDate(image.uploaded_at)}</dd>
      {detailed && image.processed_at ? (
        <>
          <dt>Optimized on</dt>
          <dd>{formatDate(image.processed_at)}</dd>
        </>
      ) : null}
      {image.width && image.height ? (
        <>
          <dt>Dimensions</dt>
          <dd>
            {image.width} × {image.height} px
            {image.downscaled ? " (scaled down to fit WebP)" : null}
          </dd>
        </>
      ) : null}
      <dt>Original</dt>
      <dd>
        {formatBytes(image.size_bytes)}
        {detailed ? ` (${image.content_type})` : null}
      </dd>
      {optimized !== null ? (
        <>
          <dt>Optimized</dt>
          <dd>
            {formatBytes(optimized)}
            {detailed ? " (WebP)" : null} <strong className="saving">{savings(image.size_bytes, optimized)}</strong>
          </dd>
        </>
      ) : null}
    </dl>
  );
}
