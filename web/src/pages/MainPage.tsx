import { useQuery } from "@tanstack/react-query";
import { Gallery } from "../components/Gallery";
import { ImageCard } from "../components/ImageCard";
import { UploadPanel } from "../components/UploadPanel";
import { UsageMeter } from "../components/UsageMeter";
import { LATEST_KEY, useLiveImages } from "../liveImages";
import { navigate } from "../router";
import { useServices, useSession } from "../services";

/** While the socket is down, in-progress images are polled instead; never while it is up. */
const FALLBACK_POLL_MS = 5_000;

export function MainPage() {
  const { api, store } = useServices();
  const session = useSession();
  const { connected } = useLiveImages();
  const latest = useQuery({
    queryKey: LATEST_KEY,
    queryFn: () => api.latestImage(),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return !connected && (status === "queued" || status === "processing") ? FALLBACK_POLL_MS : false;
    },
  });

  return (
    <>
      <header className="topbar">
        <span className="brand">pixelflow</span>
        <span className="who">{session?.user.email}</span>
        <span className={`live ${connected ? "on" : "off"}`} title={connected ? "Live updates on" : "Reconnecting…"}>
          {connected ? "Live" : "Offline"}
        </span>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            void store.signOut();
            navigate("/signin", { replace: true });
          }}
        >
          Sign out
        </button>
      </header>
      <main className="main">
        <h1 className="visually-hidden">Your photos</h1>
        <UploadPanel />
        <UsageMeter latest={latest.isPending ? undefined : (latest.data ?? null)} />
        {latest.isError ? <p className="error-text" role="alert">Could not load your latest photo.</p> : null}
        {latest.data ? <ImageCard image={latest.data} /> : null}
        <Gallery polling={connected ? false : FALLBACK_POLL_MS} />
      </main>
    </>
  );
}
