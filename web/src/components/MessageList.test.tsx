/** @vitest-environment jsdom */
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { conversation, message, summary, user } from '../test-fixtures.js';
import { renderWithSession } from '../test-render.js';
import { MessageList } from './MessageList.js';

const alice = user('Alice');
const bob = user('Bob');

describe('<MessageList>', () => {
  const c = conversation({ memberIds: [alice.id, bob.id], lastSeq: 3 });
  const mine = (seq: number, extra = {}) =>
    message(c.id, seq, { senderId: alice.id, content: `mine ${seq}`, ...extra });

  function setup() {
    return renderWithSession(<MessageList conversationId={c.id} onReply={() => {}} onEdit={() => {}} />, {
      me: alice,
      conversations: [summary(c)],
      actions: [
        { type: 'users', users: [bob] },
        {
          type: 'page',
          conversationId: c.id,
          mode: 'newest',
          messages: [message(c.id, 1, { content: 'hi there' }), mine(2, { editedAt: '2026-01-01T13:00:00Z' }), mine(3)],
          hasMore: false,
        },
        {
          type: 'pending',
          pending: [
            {
              clientMsgId: 'q1',
              conversationId: c.id,
              content: 'queued one',
              queuedAt: new Date().toISOString(),
              attempts: 0,
            },
          ],
        },
      ],
    });
  }

  const tickOf = (text: string) =>
    screen.getByText(text).closest('.message-row')?.querySelector('[data-tick]')?.getAttribute('data-tick');

  it('renders bubbles with day separators, "edited", and ticks from watermarks', () => {
    const { session } = setup();
    expect(screen.getByText('hi there').closest('.message-row')?.className).toContain('other');
    expect(screen.getByText('mine 2').closest('.message-row')?.className).toContain('own');
    expect(screen.getByText('edited')).toBeTruthy();
    expect(document.querySelectorAll('.day-separator')).toHaveLength(2);
    expect(tickOf('mine 2')).toBe('sent');
    expect(tickOf('queued one')).toBe('queued');

    act(() => session.dispatch({ type: 'receipt', conversationId: c.id, userId: bob.id, kind: 'delivered', seq: 3 }));
    expect(tickOf('mine 3')).toBe('delivered');
    act(() => session.dispatch({ type: 'receipt', conversationId: c.id, userId: bob.id, kind: 'read', seq: 2 }));
    expect(tickOf('mine 2')).toBe('read');
    expect(tickOf('mine 3')).toBe('delivered');
    expect(
      screen.getByText('mine 2').closest('.message-row')?.querySelector('[data-tick]')?.getAttribute('aria-label'),
    ).toBe('Read');
  });

  it('shows a deleted message as deleted, without actions', () => {
    const { session } = setup();
    act(() =>
      session.dispatch({
        type: 'messageUpdated',
        message: message(c.id, 1, { content: '', deletedAt: '2026-01-01T13:00:00Z' }),
      }),
    );
    expect(screen.getByText('This message was deleted')).toBeTruthy();
    expect(screen.queryByText('hi there')).toBeNull();
    expect(screen.getAllByRole('button', { name: 'Message actions' })).toHaveLength(2);
  });
});
