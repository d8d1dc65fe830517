/**
 * Send grants (see ConversationStore.sendGrant), read together: every send asks
 * for one, so under load the grants of one event-loop turn come from one
 * statement (tick-batch.ts).
 */
import type { SendGrant } from '../stores.js';
import type { Queryable } from './pool.js';
import { TickBatcher } from './tick-batch.js';

interface GrantRow {
  n: number;
  type: SendGrant['type'];
  send_policy: SendGrant['sendPolicy'];
  role: SendGrant['role'];
  visible_from_seq: number;
  blocked: boolean;
}

// The rule of a single grant: a current membership, the conversation's policy,
// and for a direct conversation whether the other member blocked this one.
const GRANTS = `
SELECT q.n, mb.role, mb.visible_from_seq, c.type, c.send_policy,
       EXISTS (SELECT 1 FROM memberships o JOIN blocks b ON b.blocker_id = o.user_id
                WHERE c.type = 'direct' AND o.conversation_id = c.id
                  AND o.user_id <> mb.user_id AND b.blocked_id = mb.user_id) AS blocked
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(conversation_id, user_id, n)
  JOIN memberships mb ON mb.conversation_id = q.conversation_id COLLATE "C"
                     AND mb.user_id = q.user_id COLLATE "C" AND mb.visible_to_seq IS NULL
  JOIN conversations c ON c.id = mb.conversation_id`;

export function sendGrantReader(
  db: Queryable,
): TickBatcher<{ conversationId: string; userId: string }, SendGrant | null> {
  return new TickBatcher(async (asks) => {
    const { rows } = await db.query<GrantRow>(GRANTS, [asks.map((a) => a.conversationId), asks.map((a) => a.userId)]);
    const byPosition = new Map(rows.map((row) => [row.n, row]));
    return asks.map((_, i) => {
      const row = byPosition.get(i + 1);
      return row
        ? {
            type: row.type,
            sendPolicy: row.send_policy,
            role: row.role,
            visibleFromSeq: row.visible_from_seq,
            blockedByPeer: row.blocked,
          }
        : null;
    });
  });
}
