import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import type { SignedInSession } from "../api/types";
import { useAnnounce } from "../announcer";
import { formatDate } from "../format";
import { navigate } from "../router";
import { useServices } from "../services";

export const SESSIONS_KEY = ["account", "sessions"] as const;

/** "Firefox on Linux"-like words from a User-Agent, else the raw string (or a note that there is none). */
export function describeAgent(agent: string): string {
  if (!agent) return "Unknown browser";
  const browser = /Edg\//.test(agent)
    ? "Edge"
    : /Firefox\//.test(agent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(agent)
        ? "Chrome"
        : /Safari\//.test(agent)
          ? "Safari"
          : null;
  const system = /Android/.test(agent)
    ? "Android"
    : /iPhone|iPad/.test(agent)
      ? "iOS"
      : /Windows/.test(agent)
        ? "Windows"
        : /Mac OS X/.test(agent)
          ? "macOS"
          : /Linux/.test(agent)
            ? "Linux"
            : null;
  return browser && system ? `${browser} on ${system}` : agent;
}

function SessionRow({ session, onEnd, ending }: { session: SignedInSession; onEnd: () => void; ending: boolean }) {
  const label = `session-${session.id}`;
  return (
    <li className="session">
      <div id={label} className="session-body">
        <p className="session-agent">
          {describeAgent(session.user_agent)}
          {session.current ? <strong className="this-device"> · This device</strong> : null}
        </p>
        <p className="hint">
          Signed in {formatDate(session.created_at) || "earlier"} · last used {formatDate(session.last_used_at) || "not yet"}
        </p>
        {session.user_agent ? <p className="session-ua">{session.user_agent}</p> : null}
      </div>
      <button type="button" className="button secondary" aria-describedby={label} aria-busy={ending} onClick={onEnd}>
        Sign out
      </button>
    </li>
  );
}

/** The account's signed-in sessions, this device's marked; each can be signed out, or all at once. */
export function SessionList() {
  const { api, store } = useServices();
  const client = useQueryClient();
  const announce = useAnnounce();
  const heading = useRef<HTMLHeadingElement>(null);
  const sessions = useQuery({ queryKey: SESSIONS_KEY, queryFn: () => api.listSessions() });

  const end = useMutation<void, Error, SignedInSession>({
    mutationFn: (session) => api.endSession(session.id),
    onSuccess: (_, session) => {
      announce(`Signed out ${describeAgent(session.user_agent)}.`);
      // Its button is gone: focus goes to the list's heading, not to the page's body.
      heading.current?.focus();
      void client.invalidateQueries({ queryKey: SESSIONS_KEY });
    },
    onError: (error) => announce(`Could not sign that session out: ${error.message}`),
  });

  const signOut = (session: SignedInSession) => {
    if (session.current) {
      void store.signOut();
      navigate("/signin", { replace: true });
    } else end.mutate(session);
  };

  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title" ref={heading} tabIndex={-1}>
        Signed-in sessions
      </h2>
      {sessions.isError ? (
        <p className="error-text" role="alert">
          Could not load your sessions.
        </p>
      ) : null}
      {sessions.isPending ? <p className="hint">Loading…</p> : null}
      {sessions.data ? (
        <ul className="sessions" aria-labelledby="sessions-title">
          {sessions.data.items.map((session) => (
            <SessionRow
              key={session.id}
              session={session}
              ending={end.isPending && end.variables.id === session.id}
              onEnd={() => signOut(session)}
            />
          ))}
        </ul>
      ) : null}
      <p className="hint">Signs out this device and every other one, including those you do not recognize.</p>
      <div>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            void store.signOut({ everywhere: true });
            navigate("/signin", { replace: true });
          }}
        >
          Sign out everywhere
        </button>
      </div>
    </section>
  );
}
