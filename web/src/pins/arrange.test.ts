import { describe, expect, it } from 'vitest';
import { archivedCount, arrangeChats } from './arrange.js';

const entry = (id: string) => ({ conversation: { id } });
const list = ['a', 'b', 'c', 'd', 'e'].map(entry);
const chats = {
  b: { pinned: true, pinnedAt: '2026-01-01T00:00:01.000Z', archived: false },
  d: { pinned: true, pinnedAt: '2026-01-01T00:00:02.000Z', archived: false },
  c: { pinned: false, pinnedAt: null, archived: true },
};

describe('arrangeChats', () => {
  it('puts pinned chats first, newest pin first, and leaves archived ones out', () => {
    expect(arrangeChats(list, chats, false).map((e) => e.conversation.id)).toEqual(['d', 'b', 'a', 'e']);
  });

  it('shows only the archived chats in the archived list', () => {
    expect(arrangeChats(list, chats, true).map((e) => e.conversation.id)).toEqual(['c']);
    expect(archivedCount(chats, ['a', 'b', 'c'])).toBe(1);
  });
});
