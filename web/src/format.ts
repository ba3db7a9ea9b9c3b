const UNITS = ["B", "KB", "MB", "GB"];

export function formatBytes(bytes: number, locale?: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toLocaleString(locale, { maximumFractionDigits: digits })} ${UNITS[unit]}`;
}

/** "62% smaller" / "8% larger", from the original and optimized sizes. */
export function savings(original: number, optimized: number): string {
  if (original <= 0) return "";
  const change = Math.round((1 - optimized / original) * 100);
  return change >= 0 ? `${change}% smaller` : `${-change}% larger`;
}

export function formatDate(iso: string | null, locale?: string): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}
