import { useEffect, useRef } from "react";
import type { ImageItem } from "../api/types";
import { ImageTile } from "./ImageTile";

interface Props {
  images: ImageItem[];
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

/** Every upload as a grid of links, more loaded on scroll (or by the button, for keyboards). */
export function Gallery({ images, hasNextPage, isFetchingNextPage, fetchNextPage }: Props) {
  const sentinel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasNextPage || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  return (
    <section aria-labelledby="gallery-title">
      <h2 id="gallery-title">Your uploads</h2>
      {images.length === 0 ? <p className="hint">Nothing yet: your photos will appear here.</p> : null}
      <ul className="grid">
        {images.map((image) => (
          <ImageTile key={image.id} image={image} />
        ))}
      </ul>
      <div ref={sentinel} />
      {hasNextPage ? (
        <button
          type="button"
          className="button secondary"
          onClick={() => (isFetchingNextPage ? undefined : void fetchNextPage())}
          aria-disabled={isFetchingNextPage}
        >
          {isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      ) : null}
    </section>
  );
}
