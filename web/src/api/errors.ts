/** An HTTP error from the edge: every one is JSON `{"detail": ...}`. */
export class ApiError extends Error {
  readonly status: number;
  /** Messages per body field, from 422 answers. */
  readonly fields: Record<string, string>;
  /** Seconds to wait, from 429 answers. */
  readonly retryAfter: number | null;

  constructor(status: number, message: string, fields: Record<string, string> = {}, retryAfter: number | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
}

interface FieldError {
  loc?: unknown[];
  msg?: string;
}

const cleanMessage = (msg: string): string => msg.replace(/^Value error, /, "");

export async function errorFrom(response: Response): Promise<ApiError> {
  let detail: unknown = null;
  try {
    detail = ((await response.json()) as { detail?: unknown }).detail;
  } catch {
    detail = null;
  }
  const retryHeader = response.headers.get("Retry-After");
  const retryAfter = retryHeader ? Number.parseInt(retryHeader, 10) : null;
  if (Array.isArray(detail)) {
    const fields: Record<string, string> = {};
    for (const item of detail as FieldError[]) {
      const field = item.loc?.[item.loc.length - 1];
      if (typeof field === "string" && item.msg && !(field in fields)) fields[field] = cleanMessage(item.msg);
    }
    return new ApiError(response.status, Object.values(fields)[0] ?? "Please check the form.", fields, retryAfter);
  }
  const message = typeof detail === "string" && detail ? detail : `Request failed (${response.status})`;
  return new ApiError(response.status, message, {}, retryAfter);
}
