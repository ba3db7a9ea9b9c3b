import type { CSSProperties } from "react";
import type { ImageItem, Variant } from "../api/types";
import { useVariantLinks } from "./links";
import { placeholderDataUrl } from "./placeholder";

function placeholderStyle(image: ImageItem): CSSProperties | undefined {
  const placeholder = placeholderDataUrl(image.placeholder);
  return placeholder ? { backgroundImage: `url(${placeholder})` } : undefined;
}

/**
 * `<img srcset sizes loading="lazy">` over temporary links (no token, so the browser fetches and
 * caches each width itself), over the image's placeholder painted as the box's background.
 */
export function Picture({
  image,
  candidates,
  sizes,
  fit,
  alt,
}: {
  image: ImageItem;
  candidates: Variant[];
  sizes: string;
  fit: "cover" | "contain";
  alt: string;
}) {
  const urls = useVariantLinks(
    image.id,
    candidates.map((variant) => variant.name),
  );
  const largest = candidates.at(-1);
  const srcSet = urls?.map((url, index) => `${url} ${candidates[index]?.width ?? 0}w`).join(", ");
  return (
    <span className={`picture picture-${fit} variant-picture`} style={placeholderStyle(image)} data-placeholder={image.placeholder ? "" : undefined}>
      {urls && largest ? (
        <img
          srcSet={srcSet}
          sizes={sizes}
          src={urls.at(-1)}
          alt={alt}
          width={largest.width}
          height={largest.height}
          loading="lazy"
          decoding="async"
        />
      ) : null}
    </span>
  );
}
