/** @vitest-environment jsdom */
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Composer } from '../components/Composer.js';
import { conversation, message, summary, user } from '../test-fixtures.js';
import { renderWithSession } from '../test-render.js';
import { activeMention, insertMention, suggestions } from './autocomplete.js';
import { MentionText } from './MentionText.js';
import { mentionCounts } from './state.js';

const alice = user('Alice');
const bob = user('Bob');
const carol = user('Carol');
const users = { [alice.id]: alice, [bob.id]: bob, [carol.id]: carol };

describe('@ autocomplete', () => {
  it('finds the mention being typed at the caret, not an email', () => {
    expect(activeMention('hi @bo', 6)).toEqual({ start: 3, query: 'bo' });
    expect(activeMention('hi @', 4)).toEqual({ start: 3, query: '' });
    expect(activeMention('mail me@bo', 10)).toBeNull();
    expect(activeMention('hi @bob there', 13)).toBeNull();
  });

  it('suggests the other members by username or name, and inserts the username', () => {
    expect(suggestions('', [alice, bob, carol], alice.id).map((u) => u.displayName)).toEqual(['Bob', 'Carol']);
    expect(suggestions('CA', [alice, bob, carol], alice.id).map((u) => u.displayName)).toEqual(['Carol']);
    const active = activeMention('hi @bo!', 6);
    expect(active).not.toBeNull();
    if (active) expect(insertMention('hi @bo!', active, 6, 'bob')).toEqual({ text: 'hi @bob !', caret: 8 });
  });

  it('opens in the composer of a group and picks with the keyboard', () => {
    const group = conversation({ type: 'group', memberIds: [alice.id, bob.id, carol.id] });
    renderWithSession(<Composer conversationId={group.id} intent={null} onIntentDone={() => {}} />, {
      me: alice,
      conversations: [summary(group)],
      actions: [{ type: 'users', users: [alice, bob, carol] }],
    });
    const input = screen.getByLabelText('Type a message') as HTMLTextAreaElement;
    fireEvent.change(input, { target: { value: 'hey @' } });
    input.setSelectionRange(5, 5);
    fireEvent.select(input);
    const options = screen.getAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['BBob@bob', 'CCarol@carol']);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(screen.getByRole('option', { selected: true }).textContent).toContain('Carol');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input.value).toBe('hey @carol ');
    expect(screen.queryByRole('listbox')).toBeNull();
  });
});

describe('<MentionText>', () => {
  it('highlights the mentioned members, "you" apart, and leaves other @words alone', () => {
    const { container } = render(
      <MentionText text="@bob and @carol, not @dave" candidates={[bob.id, carol.id]} users={users} meId={carol.id} />,
    );
    const marks = [...container.querySelectorAll('.mention')].map((el) => [
      el.textContent,
      el.classList.contains('mention-me'),
    ]);
    expect(marks).toEqual([
      ['@bob', false],
      ['@carol', true],
    ]);
    expect(container.textContent).toBe('@bob and @carol, not @dave');
  });
});

describe('unread mention counts', () => {
  it('takes the server count, adds live mentions of me, clears when the read mark passes them', () => {
    const group = conversation({ type: 'group', memberIds: [bob.id, alice.id], lastSeq: 3 });
    const { session } = renderWithSession(<div />, {
      me: alice,
      conversations: [{ ...summary(group, null, 2), unreadMentionCount: 1 }],
    });
    expect(mentionCounts.get()[group.id]).toBe(1);
    session.dispatch({ type: 'message', message: message(group.id, 4, { mentions: [alice.id] }), countUnread: true });
    session.dispatch({ type: 'message', message: message(group.id, 5, { mentions: [carol.id] }), countUnread: true });
    expect(mentionCounts.get()[group.id]).toBe(2);
    session.dispatch({ type: 'readUpTo', conversationId: group.id, seq: 3 });
    expect(mentionCounts.get()[group.id]).toBe(1);
    session.dispatch({ type: 'readUpTo', conversationId: group.id, seq: 5 });
    expect(mentionCounts.get()[group.id]).toBeUndefined();
  });
});
