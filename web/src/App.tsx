import { lazy, Suspense, useEffect } from "react";
import { Announcer } from "./announcer";
import { matchRoute, navigate, usePath } from "./router";
import { useSession } from "./services";

// One chunk per kind of view: the sign-in page downloads neither the signed-in views nor the
// Socket.IO client they use.
const AuthPage = lazy(() => import("./pages/AuthPage"));
const SignedIn = lazy(() => import("./pages/SignedIn"));

export function App() {
  const route = matchRoute(usePath());
  const session = useSession();
  const wantsAuthPage = route.name === "signin" || route.name === "signup";

  useEffect(() => {
    if (!session && !wantsAuthPage) navigate("/signin", { replace: true });
    else if (session && (wantsAuthPage || route.name === "unknown")) navigate("/", { replace: true });
  }, [session, wantsAuthPage, route.name]);

  return (
    <Announcer>
      <Suspense fallback={null}>
        {session ? (
          <SignedIn key={session.user.id} route={route} />
        ) : (
          <AuthPage key={route.name} mode={route.name === "signup" ? "signup" : "signin"} />
        )}
      </Suspense>
    </Announcer>
  );
}
