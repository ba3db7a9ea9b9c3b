import type { ImageItem } from "../api/types";
import { Picture } from "../pictures/Picture";
import { containCandidates, coverCandidates } from "../pictures/variants";

/** How wide each kind of box is drawn, for the browser to choose a width from the srcset. */
const SIZES = {
  cover: "(max-width: 40rem) 45vw, 12rem",
  contain: "(max-width: 56rem) 100vw, 36rem",
} as const;

/**
 * An image's picture inside a box its container sizes (by aspect ratio): the box is there before
 * a pixel arrives, so nothing around it moves when the picture loads. `fit` is how the picture
 * fills the box: `cover` for the grid's squares (the thumbnail and small widths), `contain` to show
 * all of it (the widths and the full size). The one place that knows how pixels reach the page.
 */
export function ImagePicture({ image, fit, alt }: { image: ImageItem; fit: "cover" | "contain"; alt?: string }) {
  const candidates = fit === "cover" ? coverCandidates(image) : containCandidates(image);
  return (
    <Picture
      image={image}
      candidates={candidates}
      sizes={SIZES[fit]}
      fit={fit}
      alt={alt ?? `Optimized version of ${image.original_name}`}
    />
  );
}
