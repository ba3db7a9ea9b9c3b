import { createContext, type ReactNode, useContext, useSyncExternalStore } from "react";
import type { Api } from "./api/client";
import type { ImageItem } from "./api/types";
import type { Session } from "./auth/session";
import type { SessionStore } from "./auth/store";

/** The part of a Socket.IO client the app uses, so tests can hand in their own. */
export interface LiveSocket {
  on(event: "image.updated", handler: (image: ImageItem) => void): unknown;
  on(event: "image.deleted", handler: (deleted: { id: string }) => void): unknown;
  on(event: "connect", handler: () => void): unknown;
  on(event: "disconnect", handler: (reason: string) => void): unknown;
  on(event: "connect_error", handler: (error: Error) => void): unknown;
  connect(): unknown;
  disconnect(): unknown;
  readonly connected: boolean;
}

export interface Services {
  store: SessionStore;
  api: Api;
  /** Opens the live-status socket; `token` is asked again at every (re)connection. */
  openSocket(token: () => string | undefined): LiveSocket;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices needs a ServicesProvider");
  return services;
}

export function useSession(): Session | null {
  const { store } = useServices();
  return useSyncExternalStore(store.subscribe, store.get);
}
