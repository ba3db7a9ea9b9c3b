import type { ImageItem } from "../api/types";
import { formatDate } from "../format";
import { imagePath, openImage, viewState } from "../router";
import { ImagePicture } from "./ImagePicture";
import { StatusBadge } from "./StatusBadge";

/** One photo in the grid: a single link (one Tab stop, with a focus ring) to its detail view. */
export function ImageTile({ image }: { image: ImageItem }) {
  const path = imagePath(image.id);
  return (
    <li className="tile">
      <a className="tile-link" href={path} onClick={(event) => openImage(event, image.id)} data-image-id={image.id}>
        <div className="tile-media">
          <ImagePicture image={image} fit="cover" alt="" />
        </div>
        <div className="tile-caption">
          <span className="tile-name" title={image.original_name}>
            {image.original_name}
          </span>
          <StatusBadge status={image.status} />
          <span className="tile-date">{formatDate(image.uploaded_at)}</span>
        </div>
      </a>
    </li>
  );
}

/** The tile of the photo whose view was opened from this history entry, if it is on the page. */
export function openedTile(): HTMLElement | null {
  const id = viewState().opened;
  if (!id) return null;
  const tiles = document.querySelectorAll<HTMLElement>(".tile-link[data-image-id]");
  return [...tiles].find((tile) => tile.dataset.imageId === id) ?? null;
}
