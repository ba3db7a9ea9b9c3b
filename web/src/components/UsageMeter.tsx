import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ImageItem } from "../api/types";
import { formatBytes } from "../format";
import { useServices } from "../services";

export const USAGE_KEY = ["images", "usage"] as const;

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
  const full = data ? data.used_bytes >= data.quota_bytes : false;
  const summary = data
    ? `${formatBytes(data.used_bytes)} of ${formatBytes(data.quota_bytes)} used (${Math.min(100, Math.round((data.used_bytes / data.quota_bytes) * 100))}%)`
    : "";

  // The card keeps its height while loading, so nothing below it moves when the figures arrive.
  return (
    <section className="card usage" aria-labelledby="usage-title">
      <h2 id="usage-title">Storage</h2>
      {data ? (
        <>
          <meter
            className="usage-meter"
            min={0}
            max={data.quota_bytes}
            value={Math.min(data.used_bytes, data.quota_bytes)}
            low={data.quota_bytes * 0.8}
            high={data.quota_bytes * 0.95}
            optimum={0}
            aria-labelledby="usage-title"
            aria-valuetext={summary}
          />
          <p className="hint">{summary}</p>
        </>
      ) : (
        <p className="hint">{usage.isError ? "Could not load your storage use." : "Loading…"}</p>
      )}
      {full ? <p className="error-text">Your storage is full: new uploads are refused.</p> : null}
    </section>
  );
}
