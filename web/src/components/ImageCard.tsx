import type { ImageItem } from "../api/types";
import { formatBytes, formatDate, savings } from "../format";
import { OptimizedImage } from "./OptimizedImage";
import { StatusBadge } from "./StatusBadge";

export function ImageCard({ image }: { image: ImageItem }) {
  const optimized = image.optimized_size_bytes;
  return (
    <article className="card latest" aria-labelledby={`name-${image.id}`}>
      <div className="latest-media">
        {image.status === "done" ? (
          <OptimizedImage image={image} className="latest-image" />
        ) : (
          <div className="latest-image placeholder" aria-hidden="true" />
        )}
      </div>
      <div className="latest-body">
        <div className="latest-title">
          <h2 id={`name-${image.id}`}>{image.original_name}</h2>
          <StatusBadge status={image.status} />
        </div>
        <dl className="facts">
          <dt>Uploaded</dt>
          <dd>{formatDate(image.uploaded_at)}</dd>
          {image.width && image.height ? (
            <>
              <dt>Size</dt>
              <dd>
                {image.width} × {image.height}
                {image.downscaled ? " (scaled down to fit WebP)" : null}
              </dd>
            </>
          ) : null}
          <dt>Original</dt>
          <dd>{formatBytes(image.size_bytes)}</dd>
          {optimized !== null ? (
            <>
              <dt>Optimized</dt>
              <dd>
                {formatBytes(optimized)} <strong className="saving">{savings(image.size_bytes, optimized)}</strong>
              </dd>
            </>
          ) : null}
        </dl>
        {image.status === "failed" && image.error ? (
          <p className="error-text" role="alert">
            {image.error}
          </p>
        ) : null}
      </div>
    </article>
  );
}
