/** Text helpers of the dashboard; pure, so they are tested without a browser. */

/** `3h 05m 09s`, `4m 02s`, `12s`; negative durations count as zero. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

/** `5Grw…utQY`: enough of an SS58 hotkey to tell miners apart in a narrow column. */
export function shortHotkey(hotkey: string): string {
  return hotkey.length <= 12 ? hotkey : `${hotkey.slice(0, 4)}…${hotkey.slice(-4)}`;
}

/** A 0..1 score as `87.5%`. */
export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** Thousands separated the same way in every browser locale. */
export function count(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `16:00 UTC` for today's instants, `Oct 1 16:00 UTC` otherwise; UTC because epochs are. */
export function utcTime(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  const time = `${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')} UTC`;
  if (date.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)) return time;
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${month} ${date.getUTCDate()} ${time}`;
}

/** `3 s ago`, `5 min ago`, `2 h ago`. */
export function ago(iso: string, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}
