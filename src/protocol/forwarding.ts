/**
 * Forwarding a message to other conversations: the input schema shared by the
 * REST route and the `message:forward` frame. No Node imports here.
 */
import { z } from 'zod';
import type { Message } from './dto.js';
import { LIMITS } from './limits.js';
import { clientMsgId, id } from './schemas.js';

/** One target: a conversation, and the sender's clientMsgId of the copy posted there (idempotency). */
export const forwardTarget = z.object({ conversationId: id, clientMsgId });

export const forwardTargets = z
  .array(forwardTarget)
  .min(1)
  .max(LIMITS.forwardTargetsMax)
  .refine(
    (targets) => new Set(targets.map((t) => t.conversationId)).size === targets.length,
    'each conversation may be a target once',
  )
  .refine(
    (targets) => new Set(targets.map((t) => t.clientMsgId)).size === targets.length,
    'each target needs its own clientMsgId',
  );

export const forwardMessageBody = z.object({ targets: forwardTargets });

export type ForwardTarget = z.infer<typeof forwardTarget>;
export type ForwardMessageBody = z.infer<typeof forwardMessageBody>;

/** The answer of `POST /api/v1/messages/{id}/forward`: the copies, in the order of the targets. */
export interface ForwardResult {
  messages: Message[];
}
