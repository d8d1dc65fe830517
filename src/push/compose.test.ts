/** The wording of notifications. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ComposeInput, composeNotification } from './compose.js';

const names = new Map([
  ['a', 'Alice'],
  ['b', 'Bob'],
]);
const direct = { id: 'c1', type: 'direct' as const, name: null };
const group = { id: 'g1', type: 'group' as const, name: 'Climbing' };
const msg = (id: string, senderId: string, content: string, type = 'text') => ({ id, senderId, content, type });
const input = (overrides: Partial<ComposeInput>): ComposeInput => ({
  conversation: direct,
  messages: [msg('m1', 'a', 'hi')],
  senderNames: names,
  badge: 1,
  hidePreviews: false,
  ...overrides,
});

describe('composeNotification', () => {
  it('previews one direct message under the sender name, with the seed fields', () => {
    assert.deepEqual(composeNotification(input({ badge: 4 })), {
      title: 'Alice',
      body: 'hi',
      conversationId: 'c1',
      messageId: 'm1',
      count: 1,
      badge: 4,
      sound: 'default',
    });
  });

  it('coalesces several messages: "Alice: 3 new messages", the newest message id', () => {
    const n = composeNotification(input({ messages: [msg('m1', 'a', 'x'), msg('m2', 'a', 'y'), msg('m3', 'a', 'z')] }));
    assert.equal(n.body, 'Alice: 3 new messages');
    assert.equal(n.messageId, 'm3');
    assert.equal(n.count, 3);
  });

  it('names the group and the sender; several senders give a plain count', () => {
    assert.deepEqual(
      [
        composeNotification(input({ conversation: group })).title,
        composeNotification(input({ conversation: group })).body,
      ],
      ['Climbing', 'Alice: hi'],
    );
    const mixed = composeNotification(
      input({ conversation: group, messages: [msg('m1', 'a', 'x'), msg('m2', 'b', 'y')] }),
    );
    assert.equal(mixed.body, '2 new messages');
  });

  it('labels media and shortens long text', () => {
    assert.equal(composeNotification(input({ messages: [msg('m1', 'a', '', 'image')] })).body, '📷 Photo');
    assert.equal(composeNotification(input({ messages: [msg('m1', 'a', 'look', 'video')] })).body, '🎥 Video: look');
    const long = composeNotification(input({ messages: [msg('m1', 'a', 'é'.repeat(500))] })).body;
    assert.equal([...long].length, 120);
    assert.ok(long.endsWith('…'));
  });

  it('hides sender and text when previews are off', () => {
    const one = composeNotification(input({ hidePreviews: true }));
    assert.deepEqual([one.title, one.body], ['New messages', 'New message']);
    const two = composeNotification(
      input({ hidePreviews: true, messages: [msg('m1', 'a', 'x'), msg('m2', 'a', 'y')] }),
    );
    assert.equal(two.body, '2 new messages');
    assert.ok(!JSON.stringify(two).includes('Alice'));
  });
});
