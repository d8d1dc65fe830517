/** Pins and archive: the wire shapes, re-exported from the server's source (`src/protocol/pins.ts`). */
export {
  type ChatSettings,
  type ChatState,
  type ConversationList,
  type ConversationListFilter,
  type ConversationListItem,
  PIN_LIMITS,
  type PinnedMessage,
} from '../src/protocol/pins.js';
