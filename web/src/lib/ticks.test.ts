import { describe, expect, it } from 'vitest';
import { conversation, message } from '../test-fixtures.js';
import { applyReceipt, marksFromReceipts, mergeMarks, receiptAudience, tickState } from './ticks.js';

const direct = conversation({ memberIds: ['u-Alice', 'u-Bob'] });
const group = conversation({ type: 'group', name: 'G', memberIds: ['u-Alice', 'u-Bob', 'u-Carol'] });
const mine = (c: typeof direct, seq: number) => message(c.id, seq, { senderId: 'u-Alice' });

describe('tickState', () => {
  it('is one tick until the other member has it', () => {
    expect(tickState(mine(direct, 3), direct, {})).toBe('sent');
    expect(tickState(mine(direct, 3), direct, { 'u-Bob': { delivered: 2, read: 0 } })).toBe('sent');
  });

  it('is two ticks once delivered, blue once read', () => {
    expect(tickState(mine(direct, 3), direct, { 'u-Bob': { delivered: 3, read: 0 } })).toBe('delivered');
    expect(tickState(mine(direct, 3), direct, { 'u-Bob': { delivered: 9, read: 2 } })).toBe('delivered');
    expect(tickState(mine(direct, 3), direct, { 'u-Bob': { delivered: 0, read: 3 } })).toBe('read');
  });

  it('waits for every other member of a group', () => {
    const m = mine(group, 5);
    expect(tickState(m, group, { 'u-Bob': { delivered: 5, read: 5 } })).toBe('sent');
    expect(tickState(m, group, { 'u-Bob': { delivered: 5, read: 5 }, 'u-Carol': { delivered: 5, read: 0 } })).toBe(
      'delivered',
    );
    expect(tickState(m, group, { 'u-Bob': { delivered: 5, read: 5 }, 'u-Carol': { delivered: 6, read: 6 } })).toBe(
      'read',
    );
  });

  it('ignores members who joined after the message', () => {
    const later = {
      ...group,
      members: [...group.members, { userId: 'u-Dave', role: 'member' as const, joinedAt: '2030-01-01T00:00:00.000Z' }],
    };
    expect(receiptAudience(later, mine(later, 5))).toEqual(['u-Bob', 'u-Carol']);
    const marks = { 'u-Bob': { delivered: 5, read: 5 }, 'u-Carol': { delivered: 5, read: 5 } };
    expect(tickState(mine(later, 5), later, marks)).toBe('read');
  });

  it('is sent when nobody else can see it', () => {
    const alone = conversation({ type: 'group', memberIds: ['u-Alice'] });
    expect(tickState(mine(alone, 1), alone, {})).toBe('sent');
  });
});

describe('watermarks', () => {
  it('only move forward; reading implies delivery', () => {
    let marks = applyReceipt(undefined, 'u-Bob', 'delivered', 4);
    expect(marks['u-Bob']).toEqual({ delivered: 4, read: 0 });
    marks = applyReceipt(marks, 'u-Bob', 'delivered', 2);
    expect(marks['u-Bob']).toEqual({ delivered: 4, read: 0 });
    marks = applyReceipt(marks, 'u-Bob', 'read', 6);
    expect(marks['u-Bob']).toEqual({ delivered: 6, read: 6 });
  });

  it('returns the same object when nothing moves', () => {
    const marks = applyReceipt(undefined, 'u-Bob', 'read', 4);
    expect(applyReceipt(marks, 'u-Bob', 'read', 3)).toBe(marks);
  });

  it('come from the receipts of a message', () => {
    const marks = marksFromReceipts(
      [
        { userId: 'u-Bob', status: 'read', at: null },
        { userId: 'u-Carol', status: 'delivered', at: null },
        { userId: 'u-Dave', status: 'sent', at: null },
      ],
      7,
    );
    expect(marks).toEqual({ 'u-Bob': { delivered: 7, read: 7 }, 'u-Carol': { delivered: 7, read: 0 } });
    expect(mergeMarks({ 'u-Bob': { delivered: 9, read: 1 } }, marks)).toEqual({
      'u-Bob': { delivered: 9, read: 7 },
      'u-Carol': { delivered: 7, read: 0 },
    });
  });
});
