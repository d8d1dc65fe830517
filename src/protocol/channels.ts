/**
 * Broadcast channels on the wire: the REST input schemas (docs/PROTOCOL.md,
 * "Channels"). The conversation DTO carries a channel's settings
 * (`Conversation.channel`, dto.ts).
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';
import { id, role, safeText, url } from './schemas.js';

/** Members one request may add: a bigger channel is filled by several requests. */
export const CHANNEL_ADD_MAX = 1000;
/** Seqs one reader-count request may name. */
export const CHANNEL_READERS_MAX = 200;

const channelName = safeText(LIMITS.groupNameLength).pipe(z.string().trim().min(1));

export const createChannelBody = z.object({
  name: channelName,
  /** Public (default): anyone may find it and join it by id. Private: admins add members. */
  public: z.boolean().optional(),
  memberIds: z.array(id).max(CHANNEL_ADD_MAX).optional(),
  avatarUrl: url.nullable().optional(),
});

export const patchChannelBody = z
  .object({ name: channelName.optional(), avatarUrl: url.nullable().optional() })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');

export const addChannelMembersBody = z.object({ userIds: z.array(id).min(1).max(CHANNEL_ADD_MAX) });

export const channelRoleBody = z.object({ role });

export const channelSearchQuery = z.object({
  search: safeText(LIMITS.groupNameLength).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});

export const channelReadersQuery = z.object({
  /** Comma-separated seqs, e.g. `40,41,42`. */
  seqs: z
    .string()
    .max(CHANNEL_READERS_MAX * 17)
    .regex(/^[0-9]{1,15}(,[0-9]{1,15})*$/, 'must be comma-separated seqs')
    .transform((value) => [...new Set(value.split(',').map(Number))])
    .refine((seqs) => seqs.length <= CHANNEL_READERS_MAX, `at most ${CHANNEL_READERS_MAX} seqs`),
});

/** `GET /api/v1/channels/{id}/readers`: members whose read mark reached each seq, for admins. */
export interface ChannelReaders {
  conversationId: string;
  memberCount: number;
  /** seq → readers. */
  readers: Record<string, number>;
}
