import { useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";
import type { ImageItem } from "../api/types";
import { DeleteImageButton } from "../components/DeleteImageButton";
import { ImageFacts } from "../components/ImageFacts";
import { ImagePicture, useOptimizedUrl } from "../components/ImagePicture";
import { StatusBadge } from "../components/StatusBadge";
import { cachedImage, imageKey } from "../imageList";
import { followLink } from "../router";
import { useServices } from "../services";
import { useView } from "../view";

function webpName(name: string): string {
  const dot = name.lastIndexOf(".");
  return `${dot > 0 ? name.slice(0, dot) : name}.webp`;
}

/**
 * What can be done with one image. Download is here today; the list is where later actions go
 * (delete, copy a link, convert again), each a button or link in this same row.
 */
function ImageActions({ image }: { image: ImageItem }) {
  const url = useOptimizedUrl(image);
  return (
    <ul className="actions" aria-label="Actions">
      <li>
        {url ? (
          <a className="button" href={url} download={webpName(image.original_name)}>
            Download WebP
          </a>
        ) : (
          <span className="hint">{image.status === "failed" ? "Nothing to download." : "The download is ready once optimized."}</span>
        )}
      </li>
      <li>
        <DeleteImageButton image={image} />
      </li>
    </ul>
  );
}

/** Back to the grid, where focus returns to this photo's tile (as with the browser's Back). */
function BackLink({ id }: { id: string }) {
  return (
    <p className="back">
      <a href="/" onClick={(event) => followLink(event, "/", { opened: id })}>
        ← All photos
      </a>
    </p>
  );
}

/** One image, large, with everything known about it. Opened from the grid, it shows the list's copy at once. */
export default function ImageDetailPage({ id }: { id: string }) {
  const { api } = useServices();
  const client = useQueryClient();
  const image = useQuery({
    queryKey: imageKey(id),
    queryFn: () => api.getImage(id),
    initialData: () => cachedImage(client, id),
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 1,
  });
  const found = image.data;
  const heading = useView(found ? found.original_name : image.isError ? "Photo not found" : "Photo");

  const title = found ? found.original_name : image.isError ? "Photo not found" : "Loading photo…";
  const ratio = found?.width && found.height ? `${found.width} / ${found.height}` : "4 / 3";
  // One heading element whatever the state, so focus stays on it when the photo arrives.
  return (
    <>
      <BackLink id={id} />
      <article className="detail" aria-labelledby="detail-title">
        {image.isError ? null : (
          <div className="detail-media" style={{ aspectRatio: ratio }}>
            {found ? <ImagePicture image={found} fit="contain" /> : <div className="picture placeholder" aria-hidden="true" />}
          </div>
        )}
        <div className="detail-body">
          <div className="latest-title">
            <h1 id="detail-title" ref={heading} tabIndex={-1}>
              {title}
            </h1>
            {found ? <StatusBadge status={found.status} /> : null}
          </div>
          {found ? (
            <>
              <ImageFacts image={found} detailed />
              {found.status === "failed" && found.error ? <p className="error-text">{found.error}</p> : null}
              <ImageActions image={found} />
            </>
          ) : image.isError ? (
            <p className="hint">It may have been deleted, or it belongs to another account.</p>
          ) : null}
        </div>
      </article>
    </>
  );
}
