/**
 * Reaction summaries per message, beside the reducer's state (as the pins):
 * seeded from each history page (the server's summary as this user sees it),
 * updated by live and replayed `message:reaction` events and by the answers
 * to this user's own reactions. `withReactions` wraps the reducer,
 * `wireReactions` listens to the SDK (and turns `conversation:read` from the
 * user's other devices into a cleared unread badge).
 */
import { useSyncExternalStore } from 'react';
import type { ChatClient, Message, ReactionEvent, ReactionSummary } from '../../../sdk/index.js';
import type { MenuItem } from '../components/Menu.js';
import type { Action, AppState } from '../state/types.js';

export interface ReactionsState {
  /** messageId → counts per emoji, most frequent first; absent or empty: no reactions. */
  byMessage: Readonly<Record<string, readonly ReactionSummary[]>>;
  /** The message whose emoji picker is open (from its menu's "React" or its add button). */
  picker: string | null;
}

const EMPTY: ReactionsState = { byMessage: {}, picker: null };
let state: ReactionsState = EMPTY;
const listeners = new Set<() => void>();

function set(next: ReactionsState): void {
  if (next === state) return;
  state = next;
  for (const listener of [...listeners]) listener();
}

function same(a: readonly ReactionSummary[] | undefined, b: readonly ReactionSummary[]): boolean {
  if (!a) return b.length === 0;
  return (
    a.length === b.length && a.every((r, i) => r.emoji === b[i]?.emoji && r.count === b[i]?.count && r.me === b[i]?.me)
  );
}

export const reactionsStore = {
  get: (): ReactionsState => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  reset: () => set(EMPTY),
  setSummary(messageId: string, reactions: readonly ReactionSummary[]): void {
    if (same(state.byMessage[messageId], reactions)) return;
    set({ ...state, byMessage: { ...state.byMessage, [messageId]: reactions } });
  },
  openPicker(messageId: string | null): void {
    if (state.picker !== messageId) set({ ...state, picker: messageId });
  },
  /** Someone's reaction changed: the counts come from the server, `me` from what we know of our own. */
  apply(event: ReactionEvent, meId: string | null): void {
    const before = state.byMessage[event.messageId] ?? [];
    const mine = event.userId === meId ? event.emoji : (before.find((r) => r.me)?.emoji ?? null);
    reactionsStore.setSummary(
      event.messageId,
      event.reactions.map((r) => ({ emoji: r.emoji, count: r.count, me: r.emoji === mine })),
    );
  },
};

export function usePickerOpen(messageId: string): boolean {
  return useSyncExternalStore(reactionsStore.subscribe, () => reactionsStore.get().picker === messageId);
}

/** The "React" entry of a message's menu: opens the emoji picker under the bubble. */
export function reactMenuItem(message: Message): MenuItem | null {
  if (message.type === 'system' || message.deletedAt) return null;
  return { label: 'React', icon: 'mood', onSelect: () => reactionsStore.openPicker(message.id) };
}

export function useReactions(messageId: string): readonly ReactionSummary[] {
  return useSyncExternalStore(reactionsStore.subscribe, () => reactionsStore.get().byMessage[messageId] ?? NONE);
}

const NONE: readonly ReactionSummary[] = [];

/** The reducer, with each history page's reaction summaries kept alongside. */
export function withReactions(reducer: (state: AppState, action: Action) => AppState) {
  return (before: AppState, action: Action): AppState => {
    const next = reducer(before, action);
    if (action.type === 'bootstrap') reactionsStore.reset();
    else if (action.type === 'page') {
      for (const message of action.messages) reactionsStore.setSummary(message.id, message.reactions ?? NONE);
    } else if (action.type === 'messageUpdated' && action.message.deletedAt) {
      // A deleted message loses its reactions.
      reactionsStore.setSummary(action.message.id, NONE);
    }
    return next;
  };
}

/** Live reactions, and reads on the user's other devices, for as long as the session listens. */
export function wireReactions(
  client: ChatClient,
  meId: () => string | null,
  dispatch: (action: Action) => void,
): Array<() => void> {
  return [
    client.on('reaction', (event) => reactionsStore.apply(event, meId())),
    client.on('conversationRead', ({ conversationId, seq }) => dispatch({ type: 'readUpTo', conversationId, seq })),
  ];
}
