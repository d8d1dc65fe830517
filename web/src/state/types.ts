/** The client's state and the actions that change it (handled by pure reducers). */
import type {
  Conversation,
  ConversationSummary,
  LinkPreview,
  Message,
  PendingSend,
  Presence,
  PrivacySettings,
  User,
} from '../../../sdk/index.js';
import type { Watermark, Watermarks } from '../lib/ticks.js';

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface ConversationEntry {
  conversation: Conversation;
  lastMessage: Message | null;
  unreadCount: number;
  /** The caller was removed or left: read-only until re-added. */
  removed: boolean;
}

/** A loaded window of one conversation's history, ascending seq, unique ids. */
export interface Timeline {
  messages: Message[];
  /** Older messages exist on the server (scroll up loads them). */
  hasOlder: boolean;
  /** The window ends before the newest message (after jumping to a search hit). */
  hasNewer: boolean;
  /** The first page has arrived. */
  loaded: boolean;
  loading: 'older' | 'newer' | 'initial' | null;
  /** Watermarks were read from the server since the last connection. */
  seeded: boolean;
}

export interface FailedSend {
  clientMsgId: string;
  conversationId: string;
  content: string;
  replyToId: string | null;
  /** Media messages: what retrying sends again. */
  mediaId?: string | null;
  messageType?: PendingSend['messageType'];
  queuedAt: string;
  error: string;
}

export type Panel =
  | { kind: 'newChat' }
  | { kind: 'newGroup' }
  | { kind: 'newChannel' }
  | { kind: 'settings' }
  | { kind: 'search' }
  | { kind: 'info' }
  | { kind: 'chatSearch' }
  | { kind: 'receipts'; messageId: string };

export interface Notice {
  id: number;
  text: string;
}

export interface AppState {
  me: User | null;
  privacy: PrivacySettings | null;
  connection: ConnectionStatus;
  /** When the next reconnect attempt is due (epoch ms), while reconnecting. */
  retryAt: number | null;
  users: Record<string, User>;
  conversations: Record<string, ConversationEntry>;
  timelines: Record<string, Timeline>;
  pending: PendingSend[];
  failed: FailedSend[];
  /** conversationId → userId → when the indicator lapses (epoch ms). */
  typing: Record<string, Record<string, number>>;
  presence: Record<string, Presence>;
  watermarks: Record<string, Watermarks>;
  contacts: string[] | null;
  blocked: string[];
  active: string | null;
  /** A message to scroll to and flash once (a search hit). */
  focus: { conversationId: string; messageId: string } | null;
  /** The newest messages of the active chat are on screen. */
  atBottom: boolean;
  /** Sidebar drawer (new chat, settings, …). */
  drawer: Panel | null;
  /** Right-hand panel of the chat (info, receipts, search in chat). */
  panel: Panel | null;
  notices: Notice[];
}

export type PageMode = 'newest' | 'older' | 'newer' | 'around' | 'refresh';

export type Action =
  | {
      type: 'bootstrap';
      me: User;
      privacy: PrivacySettings;
      conversations: ConversationSummary[];
      pending: PendingSend[];
    }
  | { type: 'me'; me: User; privacy: PrivacySettings }
  | { type: 'connection'; status: ConnectionStatus; retryAt?: number | null }
  | { type: 'users'; users: User[] }
  | { type: 'conversation'; conversation: Conversation | ConversationSummary }
  | { type: 'conversationRemoved'; conversationId: string }
  | { type: 'message'; message: Message; countUnread: boolean }
  | { type: 'messageUpdated'; message: Message }
  | { type: 'messagePreview'; conversationId: string; messageId: string; preview: LinkPreview }
  | { type: 'timelineLoading'; conversationId: string; loading: Timeline['loading'] }
  | { type: 'page'; conversationId: string; mode: PageMode; messages: Message[]; hasMore: boolean; hasNewer?: boolean }
  | { type: 'pending'; pending: PendingSend[] }
  | { type: 'sendFailed'; failed: FailedSend }
  | { type: 'dismissFailed'; clientMsgId: string }
  | { type: 'receipt'; conversationId: string; userId: string; kind: 'delivered' | 'read'; seq: number }
  | { type: 'watermarks'; conversationId: string; marks: Record<string, Watermark> }
  | { type: 'unseed' }
  | { type: 'readUpTo'; conversationId: string; seq: number }
  | { type: 'typing'; conversationId: string; userId: string; until: number | null }
  | { type: 'typingLapse'; now: number }
  | { type: 'presence'; presence: Presence }
  | { type: 'contacts'; userIds: string[] }
  | { type: 'blocked'; userIds: string[] }
  | { type: 'open'; conversationId: string | null; focusMessageId?: string }
  | { type: 'focusDone' }
  | { type: 'atBottom'; atBottom: boolean }
  | { type: 'drawer'; drawer: Panel | null }
  | { type: 'panel'; panel: Panel | null }
  | { type: 'notice'; text: string }
  | { type: 'dismissNotice'; id: number };

export const initialState: AppState = {
  me: null,
  privacy: null,
  connection: 'connecting',
  retryAt: null,
  users: {},
  conversations: {},
  timelines: {},
  pending: [],
  failed: [],
  typing: {},
  presence: {},
  watermarks: {},
  contacts: null,
  blocked: [],
  active: null,
  focus: null,
  atBottom: true,
  drawer: null,
  panel: null,
  notices: [],
};
