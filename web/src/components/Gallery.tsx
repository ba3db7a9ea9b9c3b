import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { formatDate } from "../format";
import { LIST_KEY } from "../liveImages";
import { useServices } from "../services";
import { OptimizedImage } from "./OptimizedImage";
import { StatusBadge } from "./StatusBadge";

const PAGE_SIZE = 12;

export function Gallery({ polling }: { polling: number | false }) {
  const { api } = useServices();
  const list = useInfiniteQuery({
    queryKey: LIST_KEY,
    queryFn: ({ pageParam }) => api.listImages(pageParam, PAGE_SIZE),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: polling,
  });
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  useEffect(() => {
    const target = sentinel.current;
    if (!target || !hasNextPage || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const images = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-labelledby="gallery-title">
      <h2 id="gallery-title">Your uploads</h2>
      {list.isError ? <p className="error-text" role="alert">Could not load your uploads.</p> : null}
      {list.isSuccess && images.length === 0 ? <p className="hint">Nothing yet: your photos will appear here.</p> : null}
      <ul className="grid">
        {images.map((image) => (
          <li key={image.id} className="tile">
            {image.status === "done" ? <OptimizedImage image={image} className="tile-image" /> : <div className="tile-image placeholder" aria-hidden="true" />}
            <div className="tile-caption">
              <span className="tile-name" title={image.original_name}>
                {image.original_name}
              </span>
              <StatusBadge status={image.status} />
              <span className="tile-date">{formatDate(image.uploaded_at)}</span>
            </div>
          </li>
        ))}
      </ul>
      <div ref={sentinel} />
      {hasNextPage ? (
        <button type="button" className="button secondary" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage} aria-busy={isFetchingNextPage}>
          {isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      ) : null}
    </section>
  );
}
