/**
 * The wire protocol, re-exported from the server's single source of truth
 * (`src/protocol/`). The SDK never redeclares a wire shape.
 */
export type {
  Conversation,
  ConversationSummary,
  ConversationType,
  LinkPreview,
  LinkPreviewImage,
  Me,
  Media,
  Member,
  MemberRole,
  Message,
  MessageType,
  Presence,
  PresenceStatus,
  PrivacyLevel,
  PrivacySettings,
  Receipt,
  ReceiptStatus,
  SendPolicy,
  SystemEvent,
  User,
  UserSettings,
} from '../src/protocol/dto.js';
export { ERROR_CODES, type ErrorBody, type ErrorCode } from '../src/protocol/errors.js';
export type { ForwardResult, ForwardTarget } from '../src/protocol/forwarding.js';
export {
  CLOSE_CODES,
  type ClientFrame,
  type ClientFrameType,
  clientFrame,
  type ServerFrame,
  type ServerFrameType,
  shouldReconnect,
} from '../src/protocol/frames.js';
export { LIMITS } from '../src/protocol/limits.js';
export { type MentionSpan, mentionedUsernames, mentionSpans } from '../src/protocol/mentions.js';
export {
  isReactionEmoji,
  type ReactionCount,
  type ReactionEvent,
  type ReactionOutcome,
  type ReactionSummary,
  type Reactor,
} from '../src/protocol/reactions.js';
export type {
  addMemberBody,
  createGroupBody,
  historyQuery,
  loginBody,
  patchGroupBody,
  patchMeBody,
  registerBody,
  searchQuery,
} from '../src/protocol/schemas.js';
