/**
 * Seeds a conversation's receipt watermarks when it is opened: the server sends
 * `message:delivered` / `message:read` only as they happen, so what happened
 * before is read from `GET /messages/{id}/receipts` of one's own messages. The
 * watermarks are cumulative, so a binary search over one's own messages finds
 * where "read by all" and "delivered to all" end with a handful of requests.
 */
import type { Conversation, Message, Receipt } from '../../../sdk/index.js';
import { marksFromReceipts, receiptAudience, type Watermark } from '../lib/ticks.js';

const MAX_PROBES_PER_SEARCH = 6;

export async function seedWatermarks(
  conversation: Conversation,
  messages: readonly Message[],
  meId: string,
  receipts: (messageId: string) => Promise<Receipt[]>,
): Promise<Record<string, Watermark>> {
  const own = messages.filter((m) => m.senderId === meId && m.type !== 'system');
  const merged: Record<string, Watermark> = {};
  if (own.length === 0) return merged;
  const cache = new Map<number, Record<string, Watermark>>();

  const probe = async (index: number): Promise<Record<string, Watermark>> => {
    const known = cache.get(index);
    if (known) return known;
    const message = own[index] as Message;
    const marks = marksFromReceipts(await receipts(message.id), message.seq);
    cache.set(index, marks);
    for (const [userId, mark] of Object.entries(marks)) {
      const current = merged[userId] ?? { delivered: 0, read: 0 };
      merged[userId] = {
        delivered: Math.max(current.delivered, mark.delivered),
        read: Math.max(current.read, mark.read),
      };
    }
    return marks;
  };

  const reached = (index: number, marks: Record<string, Watermark>, kind: 'read' | 'delivered'): boolean => {
    const message = own[index] as Message;
    return receiptAudience(conversation, message).every((userId) => (marks[userId]?.[kind] ?? 0) >= message.seq);
  };

  const newest = own.length - 1;
  const top = await probe(newest);
  for (const kind of ['read', 'delivered'] as const) {
    if (reached(newest, top, kind)) continue;
    let lo = 0;
    let hi = newest - 1;
    let probes = 0;
    while (lo <= hi && probes < MAX_PROBES_PER_SEARCH) {
      const mid = Math.floor((lo + hi) / 2);
      const fresh = !cache.has(mid);
      const marks = await probe(mid);
      if (fresh) probes += 1;
      if (reached(mid, marks, kind)) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return merged;
}
