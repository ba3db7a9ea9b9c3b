import { Gallery } from "../components/Gallery";
import { ImageCard, ImageCardSkeleton } from "../components/ImageCard";
import { openedTile } from "../components/ImageTile";
import { UploadPanel } from "../components/UploadPanel";
import { UsageMeter } from "../components/UsageMeter";
import { useImageList } from "../imageList";
import { useView } from "../view";

/** While the socket is down, the list is polled instead; never while it is up. */
const FALLBACK_POLL_MS = 5_000;

/**
 * The signed-in home: upload, storage, the latest photo and the grid. One request (the list's first
 * page) fills both the latest card and the grid; until it answers, a card-shaped placeholder holds
 * the place, so nothing on the page moves when the photos arrive.
 */
export function MainPage({ connected }: { connected: boolean }) {
  // Back from a photo's view, focus returns to its tile (when the list is cached, it is there at once).
  const heading = useView("Your photos", openedTile);
  const list = useImageList(connected ? false : FALLBACK_POLL_MS);
  const images = list.data?.pages.flatMap((page) => page.items) ?? [];
  const latest = list.isSuccess ? (images[0] ?? null) : undefined;

  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        Your photos
      </h1>
      <UploadPanel />
      <UsageMeter latest={latest} />
      {list.isError ? (
        <p className="error-text" role="alert">
          Could not load your uploads.
        </p>
      ) : null}
      {list.isPending ? <ImageCardSkeleton /> : null}
      {latest ? <ImageCard key={latest.id} image={latest} /> : null}
      {list.isSuccess ? (
        <Gallery
          images={images}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={list.fetchNextPage}
        />
      ) : null}
    </>
  );
}
