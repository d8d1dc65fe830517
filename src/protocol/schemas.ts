/**
 * Input schemas for every REST route. One place states what the server accepts;
 * the HTTP layer validates with these and the SDK can reuse them client-side.
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';

/**
 * Text the server will store. NUL and lone surrogates are refused rather than
 * silently rewritten: PostgreSQL cannot store NUL and UTF-8 cannot carry a lone
 * surrogate, so accepting them would store something other than what was sent.
 */
export const safeText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters')
    .refine((s) => s.isWellFormed(), 'must be well-formed Unicode');

export const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an id');

export const username = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-z0-9_.]+$/, 'must be 3-32 of a-z, 0-9, _ and .');

/**
 * Hashing takes the password's UTF-8 bytes, where a lone surrogate would become
 * U+FFFD, so distinct passwords would hash alike: refuse it, as in stored text.
 */
export const password = z
  .string()
  .min(LIMITS.passwordMinLength)
  .max(LIMITS.passwordMaxLength)
  .refine((s) => s.isWellFormed(), 'must be well-formed Unicode');
export const displayName = safeText(LIMITS.displayNameLength).pipe(z.string().trim().min(1));
export const url = z.url({ protocol: /^https?$/ }).max(LIMITS.urlLength);
export const privacyLevel = z.enum(['everyone', 'contacts', 'nobody']);
export const role = z.enum(['admin', 'member']);
export const sendPolicy = z.enum(['all', 'admins']);
/** Types a client may send; `system` is the server's own. */
export const clientMessageType = z.enum(['text', 'image', 'video', 'file']);
export const clientMsgId = safeText(LIMITS.clientMsgIdLength).pipe(z.string().min(1));
/**
 * Message text is bounded in bytes, not characters, so emoji count for what they
 * weigh; the byte check lives in the domain so it can answer 413, not 400.
 */
export const messageContent = safeText(LIMITS.messageContentBytes * 4);

const seqParam = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const registerBody = z.object({
  username,
  password,
  displayName: displayName.optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ()-]{4,32}$/, 'must be a phone number')
    .optional(),
});

export const loginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(LIMITS.passwordMaxLength),
});

export const patchMeBody = z.object({
  displayName: displayName.optional(),
  avatarUrl: url.nullable().optional(),
  privacy: z.object({ presence: privacyLevel.optional(), lastSeen: privacyLevel.optional() }).optional(),
});

export const userSearchQuery = z.object({
  search: safeText(32).pipe(z.string().min(1)),
});

export const idParams = z.object({ id });
export const userIdParams = z.object({ userId: id });
export const groupMemberParams = z.object({ id, userId: id });

export const createConversationBody = z.object({
  type: z.literal('direct'),
  userId: id,
});

export const historyQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(LIMITS.historyPageMax).default(LIMITS.historyPageDefault),
    before: seqParam.optional(),
    after: seqParam.optional(),
  })
  .refine((q) => q.before === undefined || q.after === undefined, 'give before or after, not both');

export const searchQuery = z.object({
  q: safeText(LIMITS.searchQueryLength).pipe(z.string().trim().min(1)),
  conversationId: id.optional(),
  limit: z.coerce.number().int().min(1).max(LIMITS.searchPageMax).default(LIMITS.searchPageDefault),
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor: z
    .string()
    .regex(/^[0-9]{1,18}$/, 'must be a cursor from a previous page')
    .optional(),
});

export const createGroupBody = z.object({
  name: safeText(LIMITS.groupNameLength).pipe(z.string().trim().min(1)),
  memberIds: z.array(id).max(4096),
  avatarUrl: url.nullable().optional(),
});

export const patchGroupBody = z
  .object({
    name: safeText(LIMITS.groupNameLength).pipe(z.string().trim().min(1)).optional(),
    avatarUrl: url.nullable().optional(),
    sendPolicy: sendPolicy.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change');

export const addMemberBody = z.object({ userId: id, role: role.optional() });
export const setRoleBody = z.object({ role });

export const sendMessageBody = z.object({
  conversationId: id,
  clientMsgId,
  type: clientMessageType.optional(),
  content: messageContent.default(''),
  mediaId: id.nullable().optional(),
  replyToId: id.nullable().optional(),
});

export const editMessageBody = z.object({ content: messageContent });

export type RegisterBody = z.infer<typeof registerBody>;
export type PatchMeBody = z.infer<typeof patchMeBody>;
export type SendMessageBody = z.infer<typeof sendMessageBody>;
export type HistoryQuery = z.infer<typeof historyQuery>;
export type SearchQuery = z.infer<typeof searchQuery>;
