import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ImageItem, Usage } from "../api/types";
import { formatBytes } from "../format";
import { useServices } from "../services";

export const USAGE_KEY = ["images", "usage"] as const;

function describe(usage: Usage): string {
  const percent = Math.min(100, Math.round((usage.used_bytes / usage.quota_bytes) * 100));
  const shown = percent === 0 && usage.used_bytes > 0 ? "<1" : String(percent);
  return `${formatBytes(usage.used_bytes)} of ${formatBytes(usage.quota_bytes)} used (${shown}%)`;
}

/**
 * Storage used against the account's quota. Fetched again whenever the latest photo changes: a new
 * upload adds its original, a finished one its optimized file. Results may pass the quota, so the
 * meter stops at full while the text tells the real figure. `latest` is undefined while it loads
 * (null when there is none), so the first fetch waits for it instead of being repeated at once.
 */
export function UsageMeter({ latest }: { latest: ImageItem | null | undefined }) {
  const { api } = useServices();
  const usage = useQuery({
    queryKey: [...USAGE_KEY, latest?.id ?? null, latest?.status ?? null],
    queryFn: () => api.usage(),
    placeholderData: keepPreviousData,
    enabled: latest !== undefined,
  });
  const data = usage.data;
  const summary = data ? describe(data) : usage.isError ? "Could not load your storage use." : "Loading…";
  const full = data ? data.used_bytes >= data.quota_bytes : false;

  // The same elements while loading, so nothing below moves when the figures arrive.
  return (
    <section className="card usage" aria-labelledby="usage-title">
      <h2 id="usage-title">Storage</h2>
      <meter
        className="usage-meter"
        min={0}
        max={data?.quota_bytes ?? 1}
        value={data ? Math.min(data.used_bytes, data.quota_bytes) : 0}
        low={(data?.quota_bytes ?? 1) * 0.8}
        high={(data?.quota_bytes ?? 1) * 0.95}
        optimum={0}
        aria-labelledby="usage-title"
        aria-valuetext={summary}
      />
      <p className="hint">
        {summary}
        {full ? <strong className="error-text"> Your storage is full: new uploads are refused.</strong> : null}
      </p>
    </section>
  );
}
