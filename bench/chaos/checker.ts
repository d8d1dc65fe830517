/**
 * The invariants of a chaos run, checked from the clients' histories and the
 * stored conversations read back afterwards:
 * - every acknowledged message is stored once, with the sender, clientMsgId
 *   and content that were sent, at the id and seq the ack named (else lost);
 * - no (sender, clientMsgId) is stored twice; a send that timed out is stored
 *   at most once;
 * - each conversation's seqs are 1..max with no gap or repeat;
 * - each client received, per conversation, a strictly increasing seq stream
 *   with no gap, matching what is stored, and by the end of the resume phase
 *   everything its membership window covers;
 * - nobody received a message of a conversation it was not a member of at
 *   that seq.
 */
import type { ClientHistory, ConversationTruth, MemberWindow, StoredMessage } from './history.js';

export interface CheckCounts {
  sends: number;
  acked: number;
  /** Refused for good by the server (an error other than a retryable one). */
  failed: number;
  /** No ack within the client's timeout (the SDK kept retrying). */
  timedOut: number;
  /** Timed out and never acknowledged by the end. */
  timedOutUnacked: number;
  stored: number;
  /** Messages the members should have received (their windows), and did. */
  expectedDeliveries: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Holes in a stored seq range or in a client's stream. */
  gaps: number;
  outOfOrder: number;
  /** Within a member's window, never received by the end of the run. */
  missing: number;
  /** Received or acknowledged as something other than what is stored. */
  mismatched: number;
  unauthorized: number;
}

export interface ConversationCheck {
  id: string;
  kind: 'direct' | 'group';
  members: number;
  lastSeq: number;
  lost: number;
  duplicates: number;
  gaps: number;
}

export interface CheckResult {
  passed: boolean;
  counts: CheckCounts;
  conversations: ConversationCheck[];
  /** The first violations, in words. */
  violations: string[];
}

const MAX_VIOLATIONS = 50;
const FAULT_KEYS = [
  'lost',
  'duplicates',
  'gaps',
  'outOfOrder',
  'missing',
  'mismatched',
  'unauthorized',
] as const satisfies readonly (keyof CheckCounts)[];

export function check(histories: readonly ClientHistory[], truths: readonly ConversationTruth[]): CheckResult {
  const counts: CheckCounts = {
    sends: 0,
    acked: 0,
    failed: 0,
    timedOut: 0,
    timedOutUnacked: 0,
    stored: 0,
    expectedDeliveries: 0,
    delivered: 0,
    lost: 0,
    duplicates: 0,
    gaps: 0,
    outOfOrder: 0,
    missing: 0,
    mismatched: 0,
    unauthorized: 0,
  };
  const violations: string[] = [];
  const violate = (key: (typeof FAULT_KEYS)[number], text: string, by = 1) => {
    counts[key] += by;
    if (violations.length < MAX_VIOLATIONS) violations.push(`${key}: ${text}`);
  };
  const perConversation = new Map<string, ConversationCheck>();
  const bySender = new Map<string, StoredMessage[]>();
  const bySeq = new Map<string, Map<number, StoredMessage>>();

  for (const truth of truths) {
    const summary: ConversationCheck = {
      id: truth.id,
      kind: truth.kind,
      members: truth.members.length,
      lastSeq: truth.stored.at(-1)?.seq ?? 0,
      lost: 0,
      duplicates: 0,
      gaps: 0,
    };
    perConversation.set(truth.id, summary);
    const seqs = new Map<number, StoredMessage>();
    bySeq.set(truth.id, seqs);
    counts.stored += truth.stored.length;
    let expected = 1;
    for (const message of truth.stored) {
      if (message.seq !== expected) {
        violate('gaps', `${truth.id}: stored seq ${message.seq} where ${expected} was due`);
        summary.gaps++;
      }
      expected = message.seq + 1;
      seqs.set(message.seq, message);
      if (message.type === 'system') continue;
      const key = `${message.senderId}/${message.clientMsgId}`;
      const same = bySender.get(key) ?? [];
      same.push(message);
      bySender.set(key, same);
      if (same.length > 1) {
        violate('duplicates', `${key} stored ${same.length} times (seqs ${same.map((m) => m.seq).join(', ')})`);
        summary.duplicates++;
      }
    }
  }

  for (const history of histories) {
    const sent = new Map<string, { conversationId: string; content: string }>();
    const acked = new Set<string>();
    const timedOut = new Set<string>();
    // Per conversation: the last seq received, and every seq received.
    const last = new Map<string, number>();
    const received = new Map<string, Set<number>>();
    for (const event of history.events) {
      switch (event.kind) {
        case 'send':
          counts.sends++;
          sent.set(event.clientMsgId, { conversationId: event.conversationId, content: event.content });
          break;
        case 'ack': {
          if (acked.has(event.clientMsgId)) break;
          acked.add(event.clientMsgId);
          counts.acked++;
          const key = `${history.userId}/${event.clientMsgId}`;
          const stored = bySender.get(key)?.[0];
          const what = sent.get(event.clientMsgId);
          if (!stored) {
            violate(
              'lost',
              `client ${history.client}: acknowledged ${event.clientMsgId} (seq ${event.seq}) is not stored`,
            );
            const summary = perConversation.get(event.conversationId);
            if (summary) summary.lost++;
          } else if (
            stored.id !== event.id ||
            stored.seq !== event.seq ||
            !what ||
            stored.content !== what.content ||
            bySeq.get(what.conversationId)?.get(stored.seq) !== stored
          ) {
            violate('mismatched', `client ${history.client}: ack of ${event.clientMsgId} differs from what is stored`);
          }
          break;
        }
        case 'fail':
          counts.failed++;
          break;
        case 'timeout':
          counts.timedOut++;
          timedOut.add(event.clientMsgId);
          break;
        case 'recv': {
          const window = memberWindow(truths, event.conversationId, history.userId);
          if (!window || event.seq < window.fromSeq || (window.toSeq !== null && event.seq > window.toSeq)) {
            violate('unauthorized', `client ${history.client} received ${event.conversationId}#${event.seq}`);
          }
          const previous = last.get(event.conversationId) ?? 0;
          if (event.seq <= previous) {
            violate('outOfOrder', `client ${history.client}: ${event.conversationId}#${event.seq} after #${previous}`);
          } else if (previous > 0 && event.seq !== previous + 1) {
            violate('gaps', `client ${history.client}: ${event.conversationId} jumped #${previous} -> #${event.seq}`);
          }
          last.set(event.conversationId, Math.max(previous, event.seq));
          const stored = bySeq.get(event.conversationId)?.get(event.seq);
          if (!stored || stored.id !== event.id || stored.content !== event.content) {
            violate(
              'mismatched',
              `client ${history.client}: ${event.conversationId}#${event.seq} is not what is stored`,
            );
          }
          const set = received.get(event.conversationId) ?? new Set<number>();
          if (set.has(event.seq)) {
            violate('duplicates', `client ${history.client} received ${event.conversationId}#${event.seq} twice`);
          }
          set.add(event.seq);
          received.set(event.conversationId, set);
          break;
        }
        default:
          break;
      }
    }
    for (const clientMsgId of timedOut) {
      if (acked.has(clientMsgId)) continue;
      counts.timedOutUnacked++;
      // Stored twice is already a duplicate; stored once or not at all are both allowed.
    }
    for (const truth of truths) {
      const window = truth.members.find((m) => m.userId === history.userId);
      if (!window) continue;
      const got = received.get(truth.id) ?? new Set<number>();
      const lastSeq = truth.stored.at(-1)?.seq ?? 0;
      const to = window.toSeq ?? lastSeq;
      const missing: number[] = [];
      for (let seq = window.fromSeq; seq <= to; seq++) {
        counts.expectedDeliveries++;
        if (got.has(seq)) counts.delivered++;
        else missing.push(seq);
      }
      if (missing.length > 0) {
        const left = window.toSeq === null ? '' : ` (left at #${window.toSeq})`;
        violate(
          'missing',
          `client ${history.client}: ${missing.length} of ${truth.id} #${window.fromSeq}..#${to}${left}: #${missing.slice(0, 8).join(', #')}`,
          missing.length,
        );
      }
    }
  }

  const passed = FAULT_KEYS.every((key) => counts[key] === 0);
  return { passed, counts, conversations: [...perConversation.values()], violations };
}

function memberWindow(
  truths: readonly ConversationTruth[],
  conversationId: string,
  userId: string,
): MemberWindow | undefined {
  return truths.find((t) => t.id === conversationId)?.members.find((m) => m.userId === userId);
}
