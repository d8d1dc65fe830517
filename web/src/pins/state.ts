/**
 * Pinned and archived chats and pinned messages, beside the reducer's state
 * (as the mention counts): the user's state of each chat arrives with the
 * conversation list and live as `conversation:state` (from this tab, another
 * tab or a new message unarchiving), pinned messages on opening a chat and
 * live as `conversation:pins`. A module store of its own, so the shared
 * reducer stays untouched; `withPins` wraps it, `wirePins` listens to the SDK.
 */
import { useSyncExternalStore } from 'react';
import type { ChatClient, ChatState, ConversationListItem, PinnedMessage } from '../../../sdk/index.js';
import type { Action, AppState } from '../state/types.js';

export type ChatFlags = Omit<ChatState, 'conversationId'>;

export interface PinsState {
  /** The user's state of each chat; absent: neither pinned nor archived. */
  chats: Readonly<Record<string, ChatFlags>>;
  /** Pinned messages of the chats opened so far, newest first. */
  messages: Readonly<Record<string, readonly PinnedMessage[]>>;
  /** The list shows the archived chats instead of the main ones. */
  showArchived: boolean;
}

const EMPTY: PinsState = { chats: {}, messages: {}, showArchived: false };
let state: PinsState = EMPTY;
const listeners = new Set<() => void>();

function set(next: PinsState): void {
  if (next === state) return;
  state = next;
  for (const listener of [...listeners]) listener();
}

export const pinsStore = {
  get: (): PinsState => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Tests and sign-out start from nothing. */
  reset: () => set(EMPTY),
  setChat(chat: ChatState): void {
    const { conversationId, pinned, pinnedAt, archived } = chat;
    const old = state.chats[conversationId];
    if (old && old.pinned === pinned && old.pinnedAt === pinnedAt && old.archived === archived) return;
    set({ ...state, chats: { ...state.chats, [conversationId]: { pinned, pinnedAt, archived } } });
  },
  setMessages(conversationId: string, pins: readonly PinnedMessage[]): void {
    set({ ...state, messages: { ...state.messages, [conversationId]: pins } });
  },
  showArchived(show: boolean): void {
    if (state.showArchived !== show) set({ ...state, showArchived: show });
  },
};

export function usePins<T>(selector: (s: PinsState) => T): T {
  return useSyncExternalStore(pinsStore.subscribe, () => selector(pinsStore.get()));
}

function hasFlags(c: object): c is ConversationListItem {
  return 'pinned' in c && 'archived' in c;
}

/** The reducer, with the chat states of the conversation list kept alongside. */
export function withPins(reducer: (state: AppState, action: Action) => AppState) {
  return (before: AppState, action: Action): AppState => {
    const next = reducer(before, action);
    if (action.type === 'bootstrap') {
      const chats: Record<string, ChatFlags> = {};
      for (const c of action.conversations) {
        if (hasFlags(c)) chats[c.id] = { pinned: c.pinned, pinnedAt: c.pinnedAt, archived: c.archived };
      }
      set({ ...EMPTY, chats });
    } else if (action.type === 'conversation' && hasFlags(action.conversation)) {
      const c = action.conversation;
      pinsStore.setChat({ conversationId: c.id, pinned: c.pinned, pinnedAt: c.pinnedAt, archived: c.archived });
    }
    return next;
  };
}

/** Live changes from the server, for as long as the session listens. */
export function wirePins(client: ChatClient): Array<() => void> {
  return [
    client.on('conversationState', (chat) => pinsStore.setChat(chat)),
    client.on('conversationPins', ({ conversationId, pins }) => pinsStore.setMessages(conversationId, pins)),
  ];
}
