import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";

type Announce = (message: string) => void;

const AnnounceContext = createContext<Announce>(() => undefined);

/**
 * The app's one polite live region: every status change (upload progress, a photo optimized or
 * refused, the live connection lost or back) is said here, once, instead of by several regions
 * talking over each other.
 */
export function Announcer({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState("");
  const repeat = useRef(false);
  // Said in the same moment (a batch's summary as its photo finishes): said together, not the last alone.
  const pending = useRef<string[]>([]);
  const announce = useCallback<Announce>((text) => {
    pending.current.push(text);
    const said = pending.current.join(" ");
    // The same text twice in a row would not change the region: alternate a trailing no-break
    // space so it is said again.
    repeat.current = !repeat.current;
    setMessage(repeat.current ? said : `${said}\u00a0`);
  }, []);
  useEffect(() => {
    pending.current = [];
  }, [message]);
  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {message}
      </div>
    </AnnounceContext.Provider>
  );
}

export function useAnnounce(): Announce {
  return useContext(AnnounceContext);
}
