import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import type { ImageItem } from "../api/types";
import { useServices } from "../services";

/** The optimized WebP needs the bearer token, which an <img src> cannot send: fetch it as a blob. */
export function OptimizedImage({ image, className }: { image: ImageItem; className?: string }) {
  const { store } = useServices();
  const url = image.optimized_url;
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

  if (!objectUrl) return <div className={`${className ?? ""} placeholder`} aria-hidden="true" />;
  return (
    <img
      className={className}
      src={objectUrl}
      alt={`Optimized version of ${image.original_name}`}
      width={image.width ?? undefined}
      height={image.height ?? undefined}
    />
  );
}
