/**
 * Time formatting of the client, in the viewer's local time zone and in English:
 * "14:02", "Yesterday", a weekday within the last week, then a date.
 */

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export type TimeInput = string | number | Date;

export function toDate(value: TimeInput): Date {
  return value instanceof Date ? value : new Date(value);
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "14:02" (24-hour clock). */
export function formatClock(value: TimeInput): string {
  const d = toDate(value);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Calendar days from `a` to `b` in local time (0: same day, 1: `a` was yesterday). */
export function calendarDaysBetween(a: TimeInput, b: TimeInput): number {
  const x = toDate(a);
  const y = toDate(b);
  const start = Date.UTC(x.getFullYear(), x.getMonth(), x.getDate());
  const end = Date.UTC(y.getFullYear(), y.getMonth(), y.getDate());
  return Math.round((end - start) / 86_400_000);
}

export function isSameDay(a: TimeInput, b: TimeInput): boolean {
  return calendarDaysBetween(a, b) === 0;
}

function weekday(d: Date): string {
  return WEEKDAYS[d.getDay()] ?? '';
}

function monthName(d: Date): string {
  return MONTHS[d.getMonth()] ?? '';
}

/** "3 Mar", or "3 Mar 2024" outside the current year. */
export function formatShortDate(value: TimeInput, now: TimeInput = new Date()): string {
  const d = toDate(value);
  const base = `${d.getDate()} ${monthName(d).slice(0, 3)}`;
  return d.getFullYear() === toDate(now).getFullYear() ? base : `${base} ${d.getFullYear()}`;
}

/** The conversation list's time: "14:02" today, "Yesterday", "Monday" within a week, then "3 Mar". */
export function formatListTime(value: TimeInput, now: TimeInput = new Date()): string {
  const d = toDate(value);
  const days = calendarDaysBetween(d, now);
  if (days <= 0) return formatClock(d);
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekday(d);
  return formatShortDate(d, now);
}

/** The chat's day separator: "Today", "Yesterday", "Monday", "3 March", "3 March 2024". */
export function formatDayLabel(value: TimeInput, now: TimeInput = new Date()): string {
  const d = toDate(value);
  const days = calendarDaysBetween(d, now);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 7) return weekday(d);
  const base = `${d.getDate()} ${monthName(d)}`;
  return d.getFullYear() === toDate(now).getFullYear() ? base : `${base} ${d.getFullYear()}`;
}

export interface PresenceLike {
  status: 'online' | 'idle' | 'offline' | null;
  lastSeen: string | null;
}

/**
 * The chat header's presence line: "online", "last seen today at 14:02", … and
 * nothing at all when the user's privacy hides it (both fields null).
 * An idle user shows as last seen, like a messenger whose app is in the background.
 */
export function formatLastSeen(presence: PresenceLike | null | undefined, now: TimeInput = new Date()): string {
  if (!presence) return '';
  if (presence.status === 'online') return 'online';
  if (!presence.lastSeen) return '';
  const d = toDate(presence.lastSeen);
  if (Number.isNaN(d.getTime())) return '';
  const at = formatClock(d);
  const days = calendarDaysBetween(d, now);
  if (days <= 0) return `last seen today at ${at}`;
  if (days === 1) return `last seen yesterday at ${at}`;
  if (days < 7) return `last seen ${weekday(d)} at ${at}`;
  return `last seen ${formatShortDate(d, now)} at ${at}`;
}
