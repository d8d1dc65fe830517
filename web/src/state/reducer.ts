/** The one reducer of the client: pure, so every transition is unit-tested. */
import type { Conversation, ConversationSummary, Message } from '../../../sdk/index.js';
import { applyReceipt, mergeMarks } from '../lib/ticks.js';
import { applyPreview, keepPreview } from '../previews/state.js';
import { addLive, applyPage, emptyTimeline, replaceMessage } from './timeline.js';
import type { Action, AppState, ConversationEntry } from './types.js';

let noticeCounter = 0;

function isSummary(c: Conversation | ConversationSummary): c is ConversationSummary {
  return 'unreadCount' in c;
}

function entryFrom(c: ConversationSummary): ConversationEntry {
  const { lastMessage, unreadCount, ...conversation } = c;
  return { conversation, lastMessage, unreadCount, removed: false };
}

function upsertConversation(state: AppState, c: Conversation | ConversationSummary): AppState {
  const previous = state.conversations[c.id];
  let entry: ConversationEntry;
  if (isSummary(c)) {
    entry = entryFrom(c);
  } else {
    // A channel lists its admins only: leaving one arrives as conversation:removed.
    const member = !state.me || c.type === 'channel' || c.members.some((m) => m.userId === state.me?.id);
    entry = {
      conversation: c,
      lastMessage: previous?.lastMessage ?? null,
      unreadCount: previous?.unreadCount ?? 0,
      removed: !member,
    };
  }
  if (previous && previous.conversation.lastSeq > entry.conversation.lastSeq) {
    entry = { ...entry, conversation: { ...entry.conversation, lastSeq: previous.conversation.lastSeq } };
  }
  if (previous?.lastMessage && (!entry.lastMessage || previous.lastMessage.seq > entry.lastMessage.seq)) {
    entry = { ...entry, lastMessage: previous.lastMessage };
  }
  return { ...state, conversations: { ...state.conversations, [c.id]: entry } };
}

function receiveMessage(state: AppState, message: Message, countUnread: boolean): AppState {
  const id = message.conversationId;
  const entry = state.conversations[id];
  let conversations = state.conversations;
  if (entry) {
    const newer = !entry.lastMessage || message.seq >= entry.lastMessage.seq;
    const fromOther = message.senderId !== state.me?.id;
    conversations = {
      ...conversations,
      [id]: {
        ...entry,
        conversation: { ...entry.conversation, lastSeq: Math.max(entry.conversation.lastSeq, message.seq) },
        lastMessage: newer ? message : entry.lastMessage,
        unreadCount: fromOther && countUnread ? entry.unreadCount + 1 : fromOther ? entry.unreadCount : 0,
      },
    };
  }
  let typing = state.typing;
  if (typing[id]?.[message.senderId]) {
    const { [message.senderId]: _gone, ...rest } = typing[id] ?? {};
    typing = { ...typing, [id]: rest };
  }
  return {
    ...state,
    conversations,
    typing,
    timelines: { ...state.timelines, [id]: addLive(state.timelines[id], message) },
  };
}

function updateMessage(state: AppState, updated: Message): AppState {
  const id = updated.conversationId;
  const message = keepPreview(
    state.timelines[id]?.messages.find((m) => m.id === updated.id),
    updated,
  );
  const entry = state.conversations[id];
  const timeline = replaceMessage(state.timelines[id], message);
  const conversations =
    entry?.lastMessage?.id === message.id
      ? { ...state.conversations, [id]: { ...entry, lastMessage: message } }
      : state.conversations;
  const timelines =
    timeline && timeline !== state.timelines[id] ? { ...state.timelines, [id]: timeline } : state.timelines;
  return { ...state, conversations, timelines };
}

function setTyping(state: AppState, conversationId: string, userId: string, until: number | null): AppState {
  const current = state.typing[conversationId] ?? {};
  if (until === null) {
    if (!(userId in current)) return state;
    const { [userId]: _gone, ...rest } = current;
    return { ...state, typing: { ...state.typing, [conversationId]: rest } };
  }
  return { ...state, typing: { ...state.typing, [conversationId]: { ...current, [userId]: until } } };
}

function lapseTyping(state: AppState, now: number): AppState {
  let changed = false;
  const typing: AppState['typing'] = {};
  for (const [conversationId, users] of Object.entries(state.typing)) {
    const kept: Record<string, number> = {};
    for (const [userId, until] of Object.entries(users)) {
      if (until > now) kept[userId] = until;
      else changed = true;
    }
    typing[conversationId] = kept;
  }
  return changed ? { ...state, typing } : state;
}

export function reducer(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'bootstrap': {
      const conversations: AppState['conversations'] = {};
      for (const c of action.conversations) conversations[c.id] = entryFrom(c);
      return {
        ...state,
        me: action.me,
        privacy: action.privacy,
        users: { ...state.users, [action.me.id]: action.me },
        conversations,
        pending: action.pending,
      };
    }
    case 'me':
      return { ...state, me: action.me, privacy: action.privacy, users: { ...state.users, [action.me.id]: action.me } };
    case 'connection':
      return { ...state, connection: action.status, retryAt: action.retryAt ?? null };
    case 'users': {
      if (action.users.length === 0) return state;
      const users = { ...state.users };
      for (const u of action.users) users[u.id] = u;
      return { ...state, users };
    }
    case 'conversation':
      return upsertConversation(state, action.conversation);
    case 'conversationRemoved': {
      const entry = state.conversations[action.conversationId];
      if (!entry) return state;
      return {
        ...state,
        conversations: { ...state.conversations, [action.conversationId]: { ...entry, removed: true } },
        typing: { ...state.typing, [action.conversationId]: {} },
      };
    }
    case 'message':
      return receiveMessage(state, action.message, action.countUnread);
    case 'messageUpdated':
      return updateMessage(state, action.message);
    case 'messagePreview':
      return applyPreview(state, action.conversationId, action.messageId, action.preview);
    case 'timelineLoading': {
      const timeline = state.timelines[action.conversationId] ?? emptyTimeline;
      return {
        ...state,
        timelines: { ...state.timelines, [action.conversationId]: { ...timeline, loading: action.loading } },
      };
    }
    case 'page': {
      const timeline = applyPage(
        state.timelines[action.conversationId],
        action.mode,
        action.messages,
        action.hasMore,
        action.hasNewer,
      );
      return { ...state, timelines: { ...state.timelines, [action.conversationId]: timeline } };
    }
    case 'pending':
      return { ...state, pending: action.pending };
    case 'sendFailed':
      return {
        ...state,
        failed: [...state.failed.filter((f) => f.clientMsgId !== action.failed.clientMsgId), action.failed],
      };
    case 'dismissFailed':
      return { ...state, failed: state.failed.filter((f) => f.clientMsgId !== action.clientMsgId) };
    case 'receipt': {
      const marks = applyReceipt(state.watermarks[action.conversationId], action.userId, action.kind, action.seq);
      if (marks === state.watermarks[action.conversationId]) return state;
      return { ...state, watermarks: { ...state.watermarks, [action.conversationId]: marks } };
    }
    case 'watermarks': {
      const marks = mergeMarks(state.watermarks[action.conversationId], action.marks);
      const timeline = state.timelines[action.conversationId] ?? emptyTimeline;
      return {
        ...state,
        watermarks: { ...state.watermarks, [action.conversationId]: marks },
        timelines: { ...state.timelines, [action.conversationId]: { ...timeline, seeded: true } },
      };
    }
    case 'unseed': {
      const timelines: AppState['timelines'] = {};
      for (const [id, t] of Object.entries(state.timelines)) timelines[id] = { ...t, seeded: false };
      return { ...state, timelines };
    }
    case 'readUpTo': {
      const entry = state.conversations[action.conversationId];
      if (!entry || entry.unreadCount === 0) return state;
      const after = state.timelines[action.conversationId]?.messages.filter(
        (m) => m.seq > action.seq && m.senderId !== state.me?.id,
      );
      const unread =
        action.seq >= entry.conversation.lastSeq ? 0 : Math.min(entry.unreadCount, after?.length ?? entry.unreadCount);
      if (unread === entry.unreadCount) return state;
      return {
        ...state,
        conversations: { ...state.conversations, [action.conversationId]: { ...entry, unreadCount: unread } },
      };
    }
    case 'typing':
      return setTyping(state, action.conversationId, action.userId, action.until);
    case 'typingLapse':
      return lapseTyping(state, action.now);
    case 'presence':
      return { ...state, presence: { ...state.presence, [action.presence.userId]: action.presence } };
    case 'contacts':
      return { ...state, contacts: action.userIds };
    case 'blocked':
      return { ...state, blocked: action.userIds };
    case 'open': {
      const focus =
        action.conversationId && action.focusMessageId
          ? { conversationId: action.conversationId, messageId: action.focusMessageId }
          : null;
      const switched = action.conversationId !== state.active;
      return {
        ...state,
        active: action.conversationId,
        focus,
        atBottom: switched ? !focus : state.atBottom,
        panel: switched ? null : state.panel,
      };
    }
    case 'focusDone':
      return state.focus ? { ...state, focus: null } : state;
    case 'atBottom':
      return state.atBottom === action.atBottom ? state : { ...state, atBottom: action.atBottom };
    case 'drawer':
      return { ...state, drawer: action.drawer };
    case 'panel':
      return { ...state, panel: action.panel };
    case 'notice':
      noticeCounter += 1;
      return { ...state, notices: [...state.notices.slice(-2), { id: noticeCounter, text: action.text }] };
    case 'dismissNotice':
      return { ...state, notices: state.notices.filter((n) => n.id !== action.id) };
  }
}
