import type { SessionReply, User } from "../api/types";

/** What survives a reload: the tokens and who they belong to. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  user: User;
}

const KEY = "pixelflow.session";

export function sessionFrom(reply: SessionReply, now: number = Date.now()): Session {
  return {
    accessToken: reply.access_token,
    refreshToken: reply.refresh_token,
    expiresAt: now + reply.expires_in * 1000,
    user: reply.user,
  };
}

export function loadSession(): Session | null {
  try {
    const raw = window.localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) window.localStorage.setItem(KEY, JSON.stringify(session));
  else window.localStorage.removeItem(KEY);
}

/** Another tab signed in, refreshed or signed out: `listener` gets the new session. */
export function onSessionChange(listener: (session: Session | null) => void): () => void {
  const handler = (event: StorageEvent) => {
    if (event.key === KEY) listener(loadSession());
  };
  window.addEventListener("storage", handler);
  return () => window.removeEventListener("storage", handler);
}
