import { describe, expect, it } from 'vitest';
import type { PendingSend } from '../../../sdk/index.js';
import { conversation, message, summary, user } from '../test-fixtures.js';
import { reducer } from './reducer.js';
import { createChatItemsSelector, selectConversationList, typingUserIds } from './selectors.js';
import { type Action, type AppState, initialState } from './types.js';

const alice = user('Alice');
const bob = user('Bob');
const run = (actions: Action[], state: AppState = initialState) => actions.reduce(reducer, state);

function boot(...conversations: ReturnType<typeof summary>[]): AppState {
  return reducer(initialState, {
    type: 'bootstrap',
    me: alice,
    privacy: { presence: 'everyone', lastSeen: 'everyone' },
    conversations,
    pending: [],
  });
}

describe('reducer', () => {
  const c1 = conversation({ lastSeq: 2, createdAt: '2026-01-01T09:00:00.000Z' });
  const c2 = conversation({ type: 'group', name: 'G', lastSeq: 5, memberIds: ['u-Alice', 'u-Bob', 'u-Carol'] });

  it('lists conversations newest activity first, live-updated', () => {
    let state = boot(summary(c1, message(c1.id, 2)), summary(c2, message(c2.id, 5)));
    expect(selectConversationList(state).map((e) => e.conversation.id)).toEqual([c2.id, c1.id]);
    state = reducer(state, {
      type: 'message',
      message: message(c1.id, 3, { createdAt: '2026-01-02T00:00:00.000Z' }),
      countUnread: true,
    });
    expect(selectConversationList(state).map((e) => e.conversation.id)).toEqual([c1.id, c2.id]);
    const entry = state.conversations[c1.id];
    expect(entry?.lastMessage?.seq).toBe(3);
    expect(entry?.unreadCount).toBe(1);
    expect(entry?.conversation.lastSeq).toBe(3);
  });

  it('keeps the selector result stable while the list does not change', () => {
    const state = boot(summary(c1));
    const again = reducer(state, { type: 'atBottom', atBottom: false });
    expect(selectConversationList(again)).toBe(selectConversationList(state));
  });

  it('counts unread only for new messages from others', () => {
    let state = boot(summary(c1, message(c1.id, 2), 2));
    state = reducer(state, { type: 'message', message: message(c1.id, 3), countUnread: false });
    expect(state.conversations[c1.id]?.unreadCount).toBe(2);
    state = reducer(state, { type: 'message', message: message(c1.id, 4, { senderId: alice.id }), countUnread: true });
    expect(state.conversations[c1.id]?.unreadCount).toBe(0);
  });

  it('clears unread when read up to the newest message', () => {
    let state = boot(summary(c1, message(c1.id, 2), 2));
    state = reducer(state, { type: 'readUpTo', conversationId: c1.id, seq: 2 });
    expect(state.conversations[c1.id]?.unreadCount).toBe(0);
  });

  it('dedupes messages by id across live, replay and acks', () => {
    const m = message(c1.id, 3, { senderId: alice.id });
    const state = run(
      [
        {
          type: 'page',
          conversationId: c1.id,
          mode: 'newest',
          messages: [message(c1.id, 1), message(c1.id, 2)],
          hasMore: false,
        },
        { type: 'message', message: m, countUnread: false },
        { type: 'message', message: m, countUnread: false },
        { type: 'message', message: { ...m }, countUnread: false },
      ],
      boot(summary(c1)),
    );
    expect(state.timelines[c1.id]?.messages.map((x) => x.id)).toEqual([
      message(c1.id, 1).id,
      message(c1.id, 2).id,
      m.id,
    ]);
  });

  it('applies edits and deletes to the timeline and the list preview', () => {
    const m = message(c1.id, 2);
    let state = run(
      [{ type: 'page', conversationId: c1.id, mode: 'newest', messages: [m], hasMore: false }],
      boot(summary(c1, m)),
    );
    const deleted = { ...m, content: '', deletedAt: '2026-01-01T13:00:00.000Z' };
    state = reducer(state, { type: 'messageUpdated', message: deleted });
    expect(state.timelines[c1.id]?.messages[0]?.deletedAt).toBe(deleted.deletedAt);
    expect(state.conversations[c1.id]?.lastMessage?.deletedAt).toBe(deleted.deletedAt);
  });

  it('tracks typing until it stops, lapses or a message arrives', () => {
    let state = boot(summary(c1));
    state = reducer(state, { type: 'typing', conversationId: c1.id, userId: bob.id, until: 1000 });
    expect(typingUserIds(state, c1.id)).toEqual([bob.id]);
    state = reducer(state, { type: 'typingLapse', now: 999 });
    expect(typingUserIds(state, c1.id)).toEqual([bob.id]);
    state = reducer(state, { type: 'typingLapse', now: 1000 });
    expect(typingUserIds(state, c1.id)).toEqual([]);
    state = reducer(state, { type: 'typing', conversationId: c1.id, userId: bob.id, until: 5000 });
    state = reducer(state, { type: 'message', message: message(c1.id, 3), countUnread: false });
    expect(typingUserIds(state, c1.id)).toEqual([]);
  });

  it('marks a conversation removed and back when re-added', () => {
    let state = boot(summary(c2));
    state = reducer(state, { type: 'conversationRemoved', conversationId: c2.id });
    expect(state.conversations[c2.id]?.removed).toBe(true);
    state = reducer(state, { type: 'conversation', conversation: c2 });
    expect(state.conversations[c2.id]?.removed).toBe(false);
    state = reducer(state, {
      type: 'conversation',
      conversation: { ...c2, members: c2.members.filter((m) => m.userId !== alice.id) },
    });
    expect(state.conversations[c2.id]?.removed).toBe(true);
  });

  it('keeps the newest known last message when a conversation update arrives', () => {
    let state = boot(summary(c1, message(c1.id, 2)));
    state = reducer(state, { type: 'conversation', conversation: { ...c1, name: 'x' } });
    expect(state.conversations[c1.id]?.lastMessage?.seq).toBe(2);
  });

  it('moves receipt watermarks forward only', () => {
    let state = boot(summary(c1));
    state = reducer(state, { type: 'receipt', conversationId: c1.id, userId: bob.id, kind: 'read', seq: 5 });
    const same = reducer(state, { type: 'receipt', conversationId: c1.id, userId: bob.id, kind: 'delivered', seq: 3 });
    expect(same).toBe(state);
    expect(state.watermarks[c1.id]?.[bob.id]).toEqual({ delivered: 5, read: 5 });
  });

  it('opens a conversation, closing its side panel', () => {
    let state = reducer(boot(summary(c1)), { type: 'panel', panel: { kind: 'info' } });
    state = reducer(state, { type: 'open', conversationId: c1.id, focusMessageId: 'm1' });
    expect(state.active).toBe(c1.id);
    expect(state.panel).toBeNull();
    expect(state.focus).toEqual({ conversationId: c1.id, messageId: 'm1' });
  });
});

describe('chat items', () => {
  const c = conversation();
  const pending = (clientMsgId: string, queuedAt: string): PendingSend => ({
    clientMsgId,
    conversationId: c.id,
    content: 'hi',
    queuedAt,
    attempts: 0,
  });

  it('show queued sends after the stored messages until their message arrives', () => {
    const select = createChatItemsSelector();
    const stored = [message(c.id, 1)];
    const queue = [pending('q2', '2026-01-01T12:05:00.000Z'), pending('q1', '2026-01-01T12:04:00.000Z')];
    const items = select({
      messages: stored,
      pending: queue,
      failed: [],
      conversationId: c.id,
      meId: 'u-Alice',
      showTail: true,
    });
    expect(items.map((i) => `${i.state}:${i.key}`)).toEqual([`stored:${stored[0]?.id}`, 'queued:q1', 'queued:q2']);

    const acked = message(c.id, 2, { senderId: 'u-Alice', clientMsgId: 'q1' });
    const after = select({
      messages: [...stored, acked],
      pending: queue,
      failed: [],
      conversationId: c.id,
      meId: 'u-Alice',
      showTail: true,
    });
    expect(after.map((i) => i.key)).toEqual([stored[0]?.id, acked.id, 'q2']);
  });

  it('hide the queue while viewing an older window', () => {
    const select = createChatItemsSelector();
    const items = select({
      messages: [message(c.id, 1)],
      pending: [pending('q', '2026-01-01T12:05:00.000Z')],
      failed: [],
      conversationId: c.id,
      meId: 'u-Alice',
      showTail: false,
    });
    expect(items).toHaveLength(1);
  });
});
