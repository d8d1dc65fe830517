/** @vitest-environment jsdom */
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { selectConversationList } from '../state/selectors.js';
import { conversation, message, summary, user } from '../test-fixtures.js';
import { renderWithSession } from '../test-render.js';
import { ConversationList } from './ConversationList.js';

const alice = user('Alice');
const bob = user('Bob');

describe('<ConversationList>', () => {
  const direct = conversation({ memberIds: [alice.id, bob.id], lastSeq: 3 });
  const group = conversation({ type: 'group', name: 'Climbers', memberIds: [alice.id, bob.id], lastSeq: 1 });

  function setup() {
    return renderWithSession(<ConversationList filter="" />, {
      me: alice,
      conversations: [
        summary(direct, message(direct.id, 3, { content: 'See you at 7', createdAt: new Date().toISOString() }), 3),
        summary(
          group,
          message(group.id, 1, { senderId: alice.id, content: 'Who is in?', createdAt: '2020-01-01T10:00:00Z' }),
        ),
      ],
      actions: [
        { type: 'users', users: [bob] },
        { type: 'presence', presence: { userId: bob.id, status: 'online', lastSeen: null } },
      ],
    });
  }

  it('shows name, preview, time, unread badge and online dot, newest first', () => {
    const { session } = setup();
    const links = screen.getAllByRole('link');
    expect(links.map((l) => l.querySelector('.conversation-title')?.textContent)).toEqual(['Bob', 'Climbers']);
    expect(links[0]?.textContent).toContain('See you at 7');
    expect(links[0]?.querySelector('.badge')?.textContent).toBe('3 unread');
    expect(links[0]?.textContent).toContain('online');
    expect(links[0]?.querySelector('.online-dot')).not.toBeNull();
    expect(links[1]?.textContent).toContain('Who is in?');
    expect(links[1]?.querySelector('[data-tick="sent"]')).not.toBeNull();
    expect(selectConversationList(session.state)).toHaveLength(2);
  });

  it('shows "typing…" in place of the preview, and moves a chat up on a new message', () => {
    const { session } = setup();
    act(() =>
      session.dispatch({ type: 'typing', conversationId: direct.id, userId: bob.id, until: Date.now() + 5000 }),
    );
    expect(screen.getAllByRole('link')[0]?.textContent).toContain('typing…');
    act(() =>
      session.dispatch({
        type: 'message',
        message: message(group.id, 2, { content: 'Me!', createdAt: new Date(Date.now() + 1000).toISOString() }),
        countUnread: true,
      }),
    );
    const links = screen.getAllByRole('link');
    expect(links[0]?.textContent).toContain('Climbers');
    expect(links[0]?.textContent).toContain('Bob: Me!');
  });
});
