import type { ImageStatus } from "../api/types";

const LABELS: Record<ImageStatus, string> = {
  queued: "Queued",
  processing: "Optimizing…",
  done: "Optimized",
  failed: "Failed",
};

export function StatusBadge({ status }: { status: ImageStatus }) {
  return (
    <span className={`badge badge-${status}`} role="status" aria-live="polite" data-status={status}>
      {LABELS[status]}
    </span>
  );
}
