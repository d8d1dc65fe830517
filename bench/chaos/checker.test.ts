/** The checker on hand-made histories: a clean run passes, and each kind of violation is counted. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from './checker.js';
import {
  applyLeaves,
  type ClientEvent,
  type ClientHistory,
  type ConversationTruth,
  type StoredMessage,
} from './history.js';

const stored = (seq: number, senderId: string, clientMsgId: string): StoredMessage => ({
  id: `m${seq}`,
  seq,
  senderId,
  clientMsgId,
  content: `text ${clientMsgId}`,
  type: 'text',
});

function world(): { truths: ConversationTruth[]; a: ClientHistory; b: ClientHistory } {
  const truths: ConversationTruth[] = [
    {
      id: 'c1',
      kind: 'direct',
      members: [
        { userId: 'ua', fromSeq: 1, toSeq: null },
        { userId: 'ub', fromSeq: 1, toSeq: null },
      ],
      stored: [stored(1, 'ua', 'k1'), stored(2, 'ua', 'k2')],
    },
    { id: 'c2', kind: 'group', members: [{ userId: 'ub', fromSeq: 1, toSeq: null }], stored: [stored(1, 'ub', 'k9')] },
  ];
  const send = (clientMsgId: string): ClientEvent => ({
    at: 0,
    kind: 'send',
    clientMsgId,
    conversationId: 'c1',
    content: `text ${clientMsgId}`,
  });
  const ack = (clientMsgId: string, seq: number): ClientEvent => ({
    at: 1,
    kind: 'ack',
    clientMsgId,
    conversationId: 'c1',
    id: `m${seq}`,
    seq,
  });
  const recv = (conversationId: string, seq: number, senderId: string, clientMsgId: string): ClientEvent => ({
    at: 2,
    kind: 'recv',
    conversationId,
    id: `m${seq}`,
    seq,
    senderId,
    content: `text ${clientMsgId}`,
  });
  const a: ClientHistory = {
    client: 0,
    userId: 'ua',
    resumeFrom: 0,
    events: [send('k1'), ack('k1', 1), send('k2'), ack('k2', 2), recv('c1', 1, 'ua', 'k1'), recv('c1', 2, 'ua', 'k2')],
  };
  const b: ClientHistory = {
    client: 1,
    userId: 'ub',
    resumeFrom: 0,
    events: [recv('c1', 1, 'ua', 'k1'), recv('c1', 2, 'ua', 'k2'), recv('c2', 1, 'ub', 'k9')],
  };
  return { truths, a, b };
}

describe('chaos checker', () => {
  it('passes a clean run', () => {
    const { truths, a, b } = world();
    const result = check([a, b], truths);
    assert.equal(result.passed, true, result.violations.join('\n'));
    assert.equal(result.counts.acked, 2);
    assert.equal(result.counts.delivered, 5);
  });

  it('counts an acknowledged message that is not stored as lost', () => {
    const { truths, a, b } = world();
    const c1 = truths[0] as ConversationTruth;
    c1.stored = [stored(1, 'ua', 'k1')];
    b.events.splice(1, 1);
    a.events.splice(5, 1);
    const result = check([a, b], truths);
    assert.equal(result.counts.lost, 1);
    assert.equal(result.passed, false);
  });

  it('counts a clientMsgId stored twice, a stored gap, a delivery out of order and a missing one', () => {
    const { truths, a, b } = world();
    const c1 = truths[0] as ConversationTruth;
    c1.stored.push({ ...stored(4, 'ua', 'k2'), id: 'm4' });
    // b got seq 2 before seq 1, and never seq 4.
    [b.events[0], b.events[1]] = [b.events[1] as ClientEvent, b.events[0] as ClientEvent];
    const result = check([a, b], truths);
    assert.equal(result.counts.duplicates, 1);
    assert.ok(result.counts.gaps >= 1, 'the stored range skips seq 3');
    assert.equal(result.counts.outOfOrder, 1);
    assert.ok(result.counts.missing >= 2, 'seq 4 reached nobody (and seq 3 does not exist)');
    assert.equal(result.passed, false);
  });

  it('counts a message received outside the member window as unauthorized', () => {
    const { truths, a, b } = world();
    a.events.push({ at: 3, kind: 'recv', conversationId: 'c2', id: 'm1', seq: 1, senderId: 'ub', content: 'text k9' });
    const result = check([a, b], truths);
    assert.equal(result.counts.unauthorized, 1);
    assert.equal(result.passed, false);
  });

  it('a leave in the store closes the window: a later delivery is unauthorized, nothing after is missing', () => {
    const { truths, a, b } = world();
    const c2 = truths[1] as ConversationTruth;
    c2.members.push({ userId: 'ua', fromSeq: 1, toSeq: null });
    c2.stored.push({ ...stored(2, 'ua', 'left'), type: 'system', system: { event: 'member_left', targetId: 'ua' } });
    c2.stored.push(stored(3, 'ub', 'k10'));
    applyLeaves(c2);
    assert.equal(c2.members[1]?.toSeq, 2);
    const recv = (seq: number, clientMsgId: string): ClientEvent => ({
      at: 3,
      kind: 'recv',
      conversationId: 'c2',
      id: `m${seq}`,
      seq,
      senderId: 'ub',
      content: `text ${clientMsgId}`,
    });
    a.events.push(recv(1, 'k9'), recv(2, 'left'));
    b.events.push(recv(2, 'left'), recv(3, 'k10'));
    assert.equal(check([a, b], truths).passed, true, 'ua got up to its leave, ub everything');
    a.events.push(recv(3, 'k10'));
    const result = check([a, b], truths);
    assert.equal(result.counts.unauthorized, 1);
  });

  it('counts an ack that names another seq than the stored one as mismatched', () => {
    const { truths, a, b } = world();
    a.events[3] = { at: 1, kind: 'ack', clientMsgId: 'k2', conversationId: 'c1', id: 'm2', seq: 3 };
    const result = check([a, b], truths);
    assert.equal(result.counts.mismatched, 1);
  });
});
