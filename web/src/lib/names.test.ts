import { describe, expect, it } from 'vitest';
import { conversation, message, user } from '../test-fixtures.js';
import { conversationTitle, initials, messagePreview, systemText } from './names.js';

const users = { 'u-Alice': user('Alice'), 'u-Bob': user('Bob Marley') };

describe('names', () => {
  it('makes initials', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('bob')).toBe('B');
    expect(initials('jean-luc picard')).toBe('JL');
    expect(initials('  ')).toBe('?');
  });

  it('titles a direct chat with the other user and a group with its name', () => {
    expect(conversationTitle(conversation(), users, 'u-Alice')).toBe('Bob Marley');
    expect(conversationTitle(conversation(), users, 'u-Bob')).toBe('Alice');
    expect(conversationTitle(conversation({ type: 'group', name: 'Climbers' }), users, 'u-Alice')).toBe('Climbers');
  });

  it('previews messages', () => {
    const c = conversation();
    expect(messagePreview(message(c.id, 1, { senderId: 'u-Alice' }), users, 'u-Alice', false)).toEqual({
      prefix: 'You: ',
      text: 'message 1',
    });
    expect(messagePreview(message(c.id, 2), users, 'u-Alice', true)).toEqual({
      prefix: 'Bob Marley: ',
      text: 'message 2',
    });
    expect(messagePreview(message(c.id, 3, { deletedAt: 'x', content: '' }), users, 'u-Alice', false).text).toBe(
      'This message was deleted',
    );
  });

  it('words system messages for the viewer', () => {
    const c = conversation({ type: 'group', name: 'G' });
    const added = message(c.id, 2, {
      type: 'system',
      senderId: 'u-Alice',
      content: 'Alice added Bob Marley',
      system: { event: 'member_added', actorId: 'u-Alice', targetId: 'u-Bob' },
    });
    expect(systemText(added, users, 'u-Alice')).toBe('You added Bob Marley');
    expect(systemText(added, users, 'u-Bob')).toBe('Alice added you');
    const created = {
      ...added,
      content: 'Alice created the group "G"',
      system: { event: 'group_created' as const, actorId: 'u-Alice', targetId: null },
    };
    expect(systemText(created, users, 'u-Bob')).toBe('Alice created the group "G"');
  });
});
