import type { ImageItem, Variant } from "../api/types";

const WIDTH = /^w\d+$/;

/** What a box filled edge to edge (`cover`, the grid's squares) can show: the square thumbnail and
 * the small widths, which `object-fit: cover` crops around the centre alike. Narrowest first. */
export function coverCandidates(image: ImageItem): Variant[] {
  return image.variants
    .filter((variant) => variant.name === "thumbnail" || (WIDTH.test(variant.name) && variant.width <= 640))
    .sort((a, b) => a.width - b.width);
}

/** What shows the whole picture (`contain`): the widths and the full size, narrowest first; while
 * only the thumbnail is stored (processing), the thumbnail. */
export function containCandidates(image: ImageItem): Variant[] {
  const whole = image.variants
    .filter((variant) => variant.name === "optimized" || WIDTH.test(variant.name))
    .sort((a, b) => a.width - b.width);
  return whole.length > 0 ? whole : image.variants.filter((variant) => variant.name === "thumbnail");
}

export function variantNamed(image: ImageItem, name: string): Variant | undefined {
  return image.variants.find((variant) => variant.name === name);
}
