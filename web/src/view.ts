import { useEffect, useRef } from "react";

const APP = "pixelflow";

/**
 * A view's title and heading: the document gets the view's own title, and focus moves to its
 * heading when the view appears, so a screen reader announces where a navigation led and the next
 * Tab starts from there instead of from the top of the page (or from a control that vanished).
 */
export function useView<T extends HTMLElement = HTMLHeadingElement>(title: string) {
  const heading = useRef<T>(null);
  useEffect(() => {
    document.title = title ? `${title} · ${APP}` : APP;
  }, [title]);
  useEffect(() => {
    // No scrolling for it: on a phone the detail view's heading sits below its picture.
    heading.current?.focus({ preventScroll: true });
  }, []);
  return heading;
}
