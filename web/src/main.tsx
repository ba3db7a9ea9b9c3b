import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createApi } from "./api/client";
import { App } from "./App";
import { SessionStore } from "./auth/store";
import { openSocketIo } from "./liveSocket";
import { forgetLinks } from "./pictures/links";
import { startPwa } from "./pwa/register";
import { ServicesProvider } from "./services";
import "./styles.css";

const store = new SessionStore();
// offlineFirst: a query is tried even offline, so the service worker can answer it from what it kept.
const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, networkMode: "offlineFirst" } },
});
// Signing out (here or in another tab) forgets every cached image.
store.subscribe(() => {
  if (!store.get()) {
    queryClient.clear();
    forgetLinks();
  }
});

startPwa(store, queryClient);

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ServicesProvider services={{ store, api: createApi(store), openSocket: openSocketIo }}>
        <App />
      </ServicesProvider>
    </QueryClientProvider>
  </StrictMode>,
);
