/**
 * WebSocket frames: one JSON object per frame with a `type`. Client frames are
 * validated with these schemas; server frames are typed for the SDK.
 */
import { z } from 'zod';
import type { AdminOverview, AdminStats } from './admin.js';
import type { Conversation, LinkPreview, Message, PresenceStatus } from './dto.js';
import type { ErrorCode } from './errors.js';
import { forwardTargets } from './forwarding.js';
import type { ChatState, PinnedMessage } from './pins.js';
import { type ReactionEvent, type ReactionOutcome, reactionEmoji } from './reactions.js';
import { clientMessageType, clientMsgId, id, messageContent } from './schemas.js';

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** Echoed back in an `error` frame so a client can match it to its request. */
const ref = z.string().max(128).optional();

export const clientFrame = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message:send'),
    clientMsgId,
    conversationId: id,
    content: messageContent.default(''),
    messageType: clientMessageType.optional(),
    mediaId: id.nullable().optional(),
    replyToId: id.nullable().optional(),
  }),
  // One message:ack per target, in target order (docs/PROTOCOL.md, "Forwarding").
  z.object({ type: z.literal('message:forward'), messageId: id, targets: forwardTargets, ref }),
  z.object({ type: z.literal('message:received'), conversationId: id, seq, ref }),
  z.object({ type: z.literal('message:read'), conversationId: id, seq, ref }),
  // Sets (emoji) or removes (null) the caller's reaction; answered with reaction:ack (docs/PROTOCOL.md, "Reactions").
  z.object({ type: z.literal('message:react'), messageId: id, emoji: reactionEmoji.nullable(), ref }),
  z.object({ type: z.literal('typing:start'), conversationId: id }),
  z.object({ type: z.literal('typing:stop'), conversationId: id }),
  z.object({ type: z.literal('presence:set'), status: z.enum(['online', 'idle']) }),
  z.object({
    type: z.literal('sync'),
    /** conversationId -> the last seq the client has; omitted: everything unacknowledged. */
    conversations: z.record(id, seq).optional(),
    /** conversationId -> the last change number the client has: the changes after it are replayed. */
    changes: z.record(id, seq).optional(),
    ref,
  }),
  z.object({ type: z.literal('ping') }),
  // Admins only (docs/PROTOCOL.md, "Admin"): periodic admin:stats frames until unsubscribed or closed.
  z.object({ type: z.literal('admin:subscribe'), ref }),
  z.object({ type: z.literal('admin:unsubscribe'), ref }),
]);

export type ClientFrame = z.infer<typeof clientFrame>;
export type ClientFrameType = ClientFrame['type'];

export type ServerFrame =
  | { type: 'hello'; userId: string; deviceId: string; serverTime: string; heartbeatSeconds: number }
  | { type: 'sync:done'; ref?: string; changes?: Record<string, number> }
  | { type: 'message:new'; message: Message }
  | { type: 'message:ack'; clientMsgId: string; message: Message }
  | { type: 'message:updated'; message: Message; changeSeq?: number }
  | ({ type: 'message:reaction' } & ReactionEvent)
  | ({ type: 'reaction:ack'; ref?: string } & ReactionOutcome)
  | { type: 'conversation:read'; conversationId: string; seq: number }
  | { type: 'message:preview'; conversationId: string; messageId: string; seq: number; preview: LinkPreview }
  | { type: 'message:delivered'; conversationId: string; userId: string; seq: number }
  | { type: 'message:read'; conversationId: string; userId: string; seq: number }
  | { type: 'typing:start'; conversationId: string; userId: string }
  | { type: 'typing:stop'; conversationId: string; userId: string }
  | { type: 'presence:update'; userId: string; status: PresenceStatus | null; lastSeen: string | null }
  | { type: 'conversation:updated'; conversation: Conversation }
  | { type: 'conversation:removed'; conversationId: string }
  | ({ type: 'conversation:state' } & ChatState)
  | { type: 'conversation:pins'; conversationId: string; pins: PinnedMessage[] }
  | { type: 'error'; code: ErrorCode; message: string; ref?: string; clientMsgId?: string }
  | { type: 'pong' }
  | ({ type: 'admin:stats' } & AdminStats)
  | ({ type: 'admin:subscribed'; ref?: string } & AdminOverview);

export type ServerFrameType = ServerFrame['type'];

export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = [
  'message:send',
  'message:forward',
  'message:received',
  'message:read',
  'message:react',
  'typing:start',
  'typing:stop',
  'presence:set',
  'sync',
  'ping',
  'admin:subscribe',
  'admin:unsubscribe',
];

export const SERVER_FRAME_TYPES: readonly ServerFrameType[] = [
  'hello',
  'sync:done',
  'message:new',
  'message:ack',
  'message:updated',
  'message:reaction',
  'reaction:ack',
  'conversation:read',
  'message:preview',
  'message:delivered',
  'message:read',
  'typing:start',
  'typing:stop',
  'presence:update',
  'conversation:updated',
  'conversation:removed',
  'conversation:state',
  'conversation:pins',
  'error',
  'pong',
  'admin:subscribed',
  'admin:stats',
];

/**
 * Close codes. 4xxx codes say whether the client should reconnect: the SDK
 * stops on 4401 and 4403 and reconnects (with backoff) on everything else.
 */
export const CLOSE_CODES = {
  /** The server is shutting down; reconnect to another node. */
  goingAway: 1001,
  /** Too many malformed frames. */
  policyViolation: 1008,
  /** The token expired or was revoked while connected: log in again. */
  unauthorized: 4401,
  /** Not allowed (e.g. origin); do not retry. */
  forbidden: 4403,
  /** No heartbeat within the timeout. */
  heartbeatTimeout: 4408,
  /** Too many connections for this user or address. */
  tooManyConnections: 4429,
  /** The client did not read fast enough; its messages wait in the outbox. */
  slowConsumer: 4500,
} as const;

/** Whether the SDK should reconnect after this close code. */
export function shouldReconnect(code: number): boolean {
  return code !== CLOSE_CODES.unauthorized && code !== CLOSE_CODES.forbidden;
}
