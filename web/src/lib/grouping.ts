/** Turns a timeline into render rows: day separators, and bubbles grouped by sender. */
import type { Message } from '../../../sdk/index.js';
import { formatDayLabel, isSameDay } from './time.js';

/** Consecutive messages of one sender within this gap form a group. */
const GROUP_GAP_MS = 5 * 60_000;

export interface TimelineItem {
  /** Stable key: the message id, or the clientMsgId of a queued send. */
  key: string;
  senderId: string;
  createdAt: string;
  isSystem: boolean;
}

export type Row<T extends TimelineItem> =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'item'; key: string; item: T; first: boolean; last: boolean };

function groupable(a: TimelineItem, b: TimelineItem): boolean {
  if (a.isSystem || b.isSystem || a.senderId !== b.senderId) return false;
  const gap = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  return gap >= 0 && gap <= GROUP_GAP_MS && isSameDay(a.createdAt, b.createdAt);
}

export function buildRows<T extends TimelineItem>(items: readonly T[], now: Date = new Date()): Row<T>[] {
  const rows: Row<T>[] = [];
  items.forEach((item, index) => {
    const prev = items[index - 1];
    const next = items[index + 1];
    if (!prev || !isSameDay(prev.createdAt, item.createdAt)) {
      rows.push({ kind: 'day', key: `day-${item.key}`, label: formatDayLabel(item.createdAt, now) });
    }
    rows.push({
      kind: 'item',
      key: item.key,
      item,
      first: !prev || !groupable(prev, item),
      last: !next || !groupable(item, next),
    });
  });
  return rows;
}

export function messageItem(message: Message): TimelineItem & { message: Message } {
  return {
    key: message.id,
    senderId: message.senderId,
    createdAt: message.createdAt,
    isSystem: message.type === 'system',
    message,
  };
}
