import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import type { ImageItem } from "../api/types";
import { useServices } from "../services";

/**
 * The optimized WebP needs the bearer token, which an <img src> cannot send: fetch it as a blob.
 * The one place that knows how an image's pixels reach the page (thumbnails and srcset over
 * temporary links replace this later without touching the views).
 */
export function useOptimizedUrl(image: ImageItem): string | null {
  const { store } = useServices();
  const url = image.status === "done" ? image.optimized_url : null;
  const blob = useQuery({
    queryKey: ["optimized", image.id],
    enabled: url !== null,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async () => {
      const session = store.get();
      const response = await fetch(url ?? "", {
        headers: session ? { Authorization: `Bearer ${session.accessToken}` } : {},
      });
      if (!response.ok) throw new Error(`could not load the image (${response.status})`);
      return response.blob();
    },
  });
  const objectUrl = useMemo(() => (blob.data ? URL.createObjectURL(blob.data) : null), [blob.data]);
  useEffect(() => () => (objectUrl ? URL.revokeObjectURL(objectUrl) : undefined), [objectUrl]);
  return objectUrl;
}

/**
 * An image's picture inside a box its container sizes (by aspect ratio): the box is there before
 * a pixel arrives, so nothing around it moves when the picture loads. `fit` is how the picture
 * fills the box: `cover` for the grid's squares, `contain` to show all of it.
 */
export function ImagePicture({ image, fit, alt }: { image: ImageItem; fit: "cover" | "contain"; alt?: string }) {
  const src = useOptimizedUrl(image);
  if (!src) return <div className="picture placeholder" aria-hidden="true" />;
  return (
    <img
      className={`picture picture-${fit}`}
      src={src}
      alt={alt ?? `Optimized version of ${image.original_name}`}
      width={image.width ?? undefined}
      height={image.height ?? undefined}
      decoding="async"
    />
  );
}
