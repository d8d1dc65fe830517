/** @vitest-environment jsdom */
import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatClient, type ReactionEvent, type WebSocketLike } from '../../../sdk/index.js';
import { MessageList } from '../components/MessageList.js';
import { conversation, message, summary, user } from '../test-fixtures.js';
import { renderWithSession } from '../test-render.js';
import { reactionsStore, wireReactions } from './state.js';

const alice = user('Alice');
const bob = user('Bob');
const c = conversation({ memberIds: [alice.id, bob.id], lastSeq: 2 });

function setup() {
  return renderWithSession(<MessageList conversationId={c.id} onReply={() => {}} onEdit={() => {}} />, {
    me: alice,
    conversations: [summary(c, null, 2)],
    actions: [
      { type: 'users', users: [bob] },
      {
        type: 'page',
        conversationId: c.id,
        mode: 'newest',
        messages: [
          message(c.id, 1, {
            id: 'm1',
            senderId: bob.id,
            content: 'first',
            reactions: [{ emoji: '👍', count: 2, me: false }],
          }),
          message(c.id, 2, { id: 'm2', senderId: bob.id, content: 'second' }),
        ],
        hasMore: false,
      },
    ],
  });
}

const rowOf = (text: string) => screen.getByText(text).closest('.message-row') as HTMLElement;
const chips = (text: string) =>
  [...rowOf(text).querySelectorAll('.reaction-chip')].map((chip) => ({
    text: chip.textContent,
    mine: chip.classList.contains('mine'),
  }));

function event(overrides: Partial<ReactionEvent>): ReactionEvent {
  return {
    conversationId: c.id,
    messageId: 'm1',
    seq: 1,
    changeSeq: 1,
    userId: bob.id,
    emoji: '❤️',
    reactions: [],
    at: '2026-01-01T12:00:00Z',
    ...overrides,
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
  reactionsStore.reset();
});

describe('reactions in the web client', () => {
  it('shows the summary of each history page under the bubble, and live changes', () => {
    setup();
    expect(chips('first')).toEqual([{ text: '👍2', mine: false }]);
    expect(chips('second')).toEqual([]);
    act(() =>
      reactionsStore.apply(
        event({
          userId: alice.id,
          emoji: '❤️',
          reactions: [
            { emoji: '👍', count: 2 },
            { emoji: '❤️', count: 1 },
          ],
        }),
        alice.id,
      ),
    );
    expect(chips('first')).toEqual([
      { text: '👍2', mine: false },
      { text: '❤️1', mine: true },
    ]);
    // Someone else's change keeps which one is mine.
    act(() =>
      reactionsStore.apply(
        event({
          changeSeq: 2,
          emoji: '❤️',
          reactions: [
            { emoji: '❤️', count: 2 },
            { emoji: '👍', count: 1 },
          ],
        }),
        alice.id,
      ),
    );
    expect(chips('first')).toEqual([
      { text: '❤️2', mine: true },
      { text: '👍1', mine: false },
    ]);
  });

  it('reacts from the picker over REST and shows the answered counts', async () => {
    const calls: Array<{ url: string; method: string; body: unknown }> = [];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, method: init.method ?? 'GET', body: init.body ? JSON.parse(String(init.body)) : undefined });
      const outcome = {
        conversationId: c.id,
        messageId: 'm2',
        emoji: '😂',
        changeSeq: 3,
        reactions: [{ emoji: '😂', count: 1, me: true }],
      };
      return new Response(JSON.stringify(outcome), { status: 200, headers: { 'content-type': 'application/json' } });
    });
    setup();
    expect(rowOf('second').querySelector('.reaction-bar')).toBeNull();
    fireEvent.click(within(rowOf('second')).getByRole('button', { name: 'Message actions' }));
    fireEvent.click(screen.getByRole('menuitem', { name: 'React' }));
    const options = screen.getAllByRole('menuitem').map((b) => b.textContent);
    expect(options).toEqual(['👍', '❤️', '😂', '😮', '😢', '🙏']);
    await act(async () => {
      fireEvent.click(screen.getByRole('menuitem', { name: 'React 😂' }));
    });
    expect(calls).toEqual([
      { url: 'http://chat.test/api/v1/messages/m2/reaction', method: 'PUT', body: { emoji: '😂' } },
    ]);
    expect(chips('second')).toEqual([{ text: '😂1', mine: true }]);
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('clears the unread badge when conversation:read comes from another device', async () => {
    const { session } = setup();
    const sockets: ScriptedSocket[] = [];
    class ScriptedSocket implements WebSocketLike {
      onopen: ((event: object) => void) | null = null;
      onmessage: ((event: { data: string }) => void) | null = null;
      onclose: ((event: object) => void) | null = null;
      onerror: ((event: object) => void) | null = null;
      readyState = 1;
      constructor() {
        sockets.push(this);
      }
      send(): void {}
      close(): void {}
      receive(frame: object): void {
        this.onmessage?.({ data: JSON.stringify(frame) });
      }
    }
    const client = new ChatClient({ baseUrl: 'http://chat.test', token: 't', WebSocket: ScriptedSocket });
    const offs = wireReactions(
      client,
      () => alice.id,
      (action) => session.dispatch(action),
    );
    void client.connect();
    const socket = sockets[0];
    expect(socket).toBeDefined();
    socket?.onopen?.({});
    socket?.receive({
      type: 'hello',
      userId: alice.id,
      deviceId: 'd',
      serverTime: '2026-01-01T12:00:00Z',
      heartbeatSeconds: 30,
    });
    expect(session.state.conversations[c.id]?.unreadCount).toBe(2);
    act(() => socket?.receive({ type: 'conversation:read', conversationId: c.id, seq: 2 }));
    expect(session.state.conversations[c.id]?.unreadCount).toBe(0);
    act(() =>
      socket?.receive({ type: 'message:reaction', ...event({ changeSeq: 9, reactions: [{ emoji: '❤️', count: 1 }] }) }),
    );
    expect(chips('first')).toEqual([{ text: '❤️1', mine: false }]);
    for (const off of offs) off();
    client.close();
  });
});
