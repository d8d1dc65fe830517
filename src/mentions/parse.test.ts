/** How `@username` is read in message text, and how a mention changes the notification's words. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LIMITS } from '../protocol/limits.js';
import { mentionedUsernames, mentionSpans } from '../protocol/mentions.js';
import { composeNotification } from '../push/compose.js';

describe('mention parsing', () => {
  it('reads @names case-insensitively, drops a sentence-ending dot, skips emails and short or long names', () => {
    const text = `@Bob, hi @carol.smith. mail x@dave.com @@eve @al @${'z'.repeat(33)} (@frank)`;
    assert.deepEqual(mentionedUsernames(text), ['bob', 'carol.smith', 'frank']);
    const spans = mentionSpans('hey @Bob.');
    assert.deepEqual(spans, [{ start: 4, end: 8, username: 'bob' }]);
  });

  it('keeps each name once, in order, and at most the limit', () => {
    assert.deepEqual(mentionedUsernames('@bob @amy @bob'), ['bob', 'amy']);
    const many = Array.from({ length: LIMITS.mentionsPerMessage + 5 }, (_, i) => `@user${i}`).join(' ');
    assert.equal(mentionedUsernames(many).length, LIMITS.mentionsPerMessage);
    assert.deepEqual(mentionedUsernames('no at sign here'), []);
  });
});

describe('mention notifications', () => {
  const group = { id: 'g1', type: 'group' as const, name: 'Team' };
  const names = new Map([['a', 'Alice']]);
  const msg = (id: string, mentions: string[] = []) => ({
    id,
    senderId: 'a',
    type: 'text',
    content: `text ${id}`,
    mentions,
  });

  it('says the recipient was mentioned, alone or among several messages, and flags the payload', () => {
    const one = composeNotification({
      conversation: group,
      messages: [msg('m1', ['me'])],
      senderNames: names,
      badge: 1,
      hidePreviews: false,
      recipientId: 'me',
    });
    assert.equal(one.body, 'Alice mentioned you: text m1');
    assert.equal(one.mention, true);
    const several = composeNotification({
      conversation: group,
      messages: [msg('m1'), msg('m2', ['me']), msg('m3')],
      senderNames: names,
      badge: 3,
      hidePreviews: false,
      recipientId: 'me',
    });
    assert.equal(several.body, 'Alice mentioned you · 3 new messages');
    const hidden = composeNotification({
      conversation: group,
      messages: [msg('m1', ['me'])],
      senderNames: names,
      badge: 1,
      hidePreviews: true,
      recipientId: 'me',
    });
    assert.equal(hidden.body, 'You were mentioned · New message');
    assert.equal(hidden.title, 'New messages');
  });

  it('leaves a notification without a mention of the recipient as it was', () => {
    const other = composeNotification({
      conversation: group,
      messages: [msg('m1', ['someone-else'])],
      senderNames: names,
      badge: 1,
      hidePreviews: false,
      recipientId: 'me',
    });
    assert.equal(other.body, 'Alice: text m1');
    assert.equal('mention' in other, false);
  });
});
