import { useEffect, useRef } from "react";

const APP = "pixelflow";

/**
 * A view's title and heading: the document gets the view's own title, and focus moves to its
 * heading when the view appears, so a screen reader announces where a navigation led and the next
 * Tab starts from there instead of from the top of the page (or from a control that vanished).
 */
export function useView<T extends HTMLElement = HTMLHeadingElement>(
  title: string,
  /** Where focus goes instead of the heading, when there is such a place (e.g. the tile just left). */
  preferred?: () => HTMLElement | null,
) {
  const heading = useRef<T>(null);
  useEffect(() => {
    document.title = title ? `${title} · ${APP}` : APP;
  }, [title]);
  useEffect(() => {
    const target = preferred?.();
    // No scrolling for the heading: on a phone the detail view's heading sits below its picture.
    if (target) target.focus();
    else heading.current?.focus({ preventScroll: true });
    // Once, when the view appears: later renders must not pull focus back.
  }, []);
  return heading;
}
