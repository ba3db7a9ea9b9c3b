import { errorFrom } from "../api/errors";
import type { SessionReply } from "../api/types";
import { type Session, loadSession, onSessionChange, saveSession, sessionFrom } from "./session";

type Listener = () => void;

/** Seconds before expiry when the access token is renewed. */
const REFRESH_AHEAD_MS = 60_000;

/**
 * The signed-in session, outside React so the API client can renew it: refreshed shortly before
 * the access token expires, and once on a 401; shared with other tabs through localStorage.
 */
export class SessionStore {
  private session: Session | null;
  private readonly listeners = new Set<Listener>();
  private refreshing: Promise<Session | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(initial: Session | null = loadSession()) {
    this.session = initial;
    onSessionChange((session) => this.replace(session, false));
    this.schedule();
  }

  get = (): Session | null => this.session;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  signIn(reply: SessionReply): void {
    this.replace(sessionFrom(reply), true);
  }

  /**
   * Forgets the session here and in every other tab of this browser; the server ends this session
   * only, or every session of the account (other devices too) when `everywhere`.
   */
  async signOut({ everywhere = false }: { everywhere?: boolean } = {}): Promise<void> {
    const session = this.session;
    this.replace(null, true);
    if (session) {
      await fetch("/api/auth/logout", {
        method: "POST",
        headers: { Authorization: `Bearer ${session.accessToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ everywhere }),
      }).catch(() => undefined);
    }
  }

  /** Forgets the session without telling the server: it ended already (the account was deleted). */
  forget(): void {
    this.replace(null, true);
  }

  /** One refresh at a time; null (signed out) when the refresh token is no longer valid. */
  refresh(): Promise<Session | null> {
    const current = this.session;
    if (!current) return Promise.resolve(null);
    this.refreshing ??= (async () => {
      try {
        const response = await fetch("/api/auth/refresh", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: current.refreshToken }),
        });
        if (!response.ok) {
          const error = await errorFrom(response);
          if (error.status === 401) this.replace(null, true);
          return null;
        }
        const renewed = sessionFrom((await response.json()) as SessionReply);
        this.replace(renewed, true);
        return renewed;
      } catch {
        return null;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private replace(session: Session | null, persist: boolean): void {
    this.session = session;
    if (persist) saveSession(session);
    this.schedule();
    for (const listener of this.listeners) listener();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.session) return;
    const delay = Math.max(this.session.expiresAt - Date.now() - REFRESH_AHEAD_MS, 5_000);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }
}
