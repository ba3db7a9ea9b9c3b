import { lazy, Suspense } from "react";
import { useLiveImages } from "../liveImages";
import { followLink, navigate, type Route } from "../router";
import { useServices, useSession } from "../services";
import { UploadsProvider } from "../uploads";
import { MainPage } from "./MainPage";

const ImageDetailPage = lazy(() => import("./ImageDetailPage"));
const AccountPage = lazy(() => import("./AccountPage"));

/** Every signed-in view: the top bar with the live connection's badge, then the route's own view. */
export default function SignedIn({ route }: { route: Route }) {
  const { store } = useServices();
  const session = useSession();
  const { connected, connecting } = useLiveImages();
  const badge = connected ? "Live" : connecting ? "Connecting…" : "Offline";

  return (
    <>
      <header className="topbar">
        <a
          className="brand"
          href="/"
          onClick={(event) => {
            event.preventDefault();
            navigate("/");
          }}
        >
          pixelflow
        </a>
        <span className="who">{session?.user.email}</span>
        {/* The change itself is announced by the app's live region (useLiveImages). */}
        <span className={`live ${connected ? "on" : "off"}`} title={connected ? "Live updates on" : "Live updates paused"}>
          {badge}
        </span>
        <a href="/account" aria-current={route.name === "account" ? "page" : undefined} onClick={(event) => followLink(event, "/account")}>
          Account
        </a>
        {/* This session only; "Sign out everywhere" is on the account page. */}
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
      <UploadsProvider>
        <main className="main">
          {route.name === "image" ? (
            <Suspense fallback={null}>
              <ImageDetailPage key={route.id} id={route.id} />
            </Suspense>
          ) : route.name === "account" ? (
            <Suspense fallback={null}>
              <AccountPage />
            </Suspense>
          ) : (
            <MainPage connected={connected} />
          )}
        </main>
      </UploadsProvider>
    </>
  );
}
