import type { ImageStatus } from "../api/types";

export const STATUS_LABELS: Record<ImageStatus, string> = {
  queued: "Queued",
  processing: "Optimizing…",
  done: "Optimized",
  failed: "Failed",
};

/** Not a live region itself: changes are announced once, by the app's announcer (see LiveStatus). */
export function StatusBadge({ status }: { status: ImageStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}
