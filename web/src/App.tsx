import { useEffect } from "react";
import { AuthPage } from "./pages/AuthPage";
import { MainPage } from "./pages/MainPage";
import { navigate, usePath } from "./router";
import { useSession } from "./services";

export function App() {
  const path = usePath();
  const session = useSession();
  const wantsAuthPage = path === "/signin" || path === "/signup";

  useEffect(() => {
    if (!session && !wantsAuthPage) navigate("/signin", { replace: true });
    if (session && wantsAuthPage) navigate("/", { replace: true });
  }, [session, wantsAuthPage]);

  if (!session) return <AuthPage key={path} mode={path === "/signup" ? "signup" : "signin"} />;
  return <MainPage key={session.user.id} />;
}
