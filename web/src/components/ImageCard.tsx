import type { ImageItem } from "../api/types";
import { imagePath, openImage } from "../router";
import { ImageFacts } from "./ImageFacts";
import { ImagePicture } from "./ImagePicture";
import { StatusBadge } from "./StatusBadge";

/** The latest photo, large. Its picture's box keeps one aspect ratio, so the card never changes height. */
export function ImageCard({ image }: { image: ImageItem }) {
  const path = imagePath(image.id);
  return (
    <article className="card latest" aria-labelledby={`name-${image.id}`}>
      <div className="latest-media">
        <ImagePicture image={image} fit="contain" />
      </div>
      <div className="latest-body">
        <div className="latest-title">
          <h2 id={`name-${image.id}`}>
            <a href={path} onClick={(event) => openImage(event, image.id)}>
              {image.original_name}
            </a>
          </h2>
          <StatusBadge status={image.status} />
        </div>
        <ImageFacts image={image} />
        {image.status === "failed" && image.error ? <p className="error-text">{image.error}</p> : null}
      </div>
    </article>
  );
}

/** The latest card's shape while the list loads: the same boxes, so nothing moves when it arrives. */
export function ImageCardSkeleton() {
  return (
    <div className="card latest" aria-hidden="true">
      <div className="latest-media">
        <div className="picture placeholder" />
      </div>
      <div className="latest-body" />
    </div>
  );
}
