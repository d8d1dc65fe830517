import { describe, expect, it } from 'vitest';
import { message } from '../test-fixtures.js';
import { addLive, applyPage, mergeMessages, UNLOADED_KEEP } from './timeline.js';

const c = 'c-t';
const seqs = (t: { messages: { seq: number }[] }) => t.messages.map((m) => m.seq);

describe('timelines', () => {
  it('merge by id, in seq order, the later copy winning', () => {
    const edited = { ...message(c, 2), content: 'edited' };
    const merged = mergeMessages([message(c, 3), message(c, 2)], [message(c, 1), edited]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(merged[1]?.content).toBe('edited');
  });

  it('never hold a message twice (a replayed message after a reconnect)', () => {
    let t = applyPage(undefined, 'newest', [message(c, 1), message(c, 2)], false);
    t = addLive(t, message(c, 2));
    t = addLive(t, message(c, 3));
    t = addLive(t, message(c, 3));
    expect(seqs(t)).toEqual([1, 2, 3]);
  });

  it('keep live messages that arrived before the first page', () => {
    let t = addLive(undefined, message(c, 51));
    expect(t.loaded).toBe(false);
    t = applyPage(t, 'newest', [message(c, 49), message(c, 50)], true);
    expect(seqs(t)).toEqual([49, 50, 51]);
    expect(t.hasOlder).toBe(true);
    expect(t.loaded).toBe(true);
  });

  it('keep only the newest live messages of a chat not opened yet (a long replay)', () => {
    let t = addLive(undefined, message(c, 1));
    for (let seq = 2; seq <= UNLOADED_KEEP + 20; seq += 1) t = addLive(t, message(c, seq));
    expect(t.messages).toHaveLength(UNLOADED_KEEP);
    expect(t.messages[0]?.seq).toBe(21);
  });

  it('prepend older pages', () => {
    let t = applyPage(undefined, 'newest', [message(c, 3), message(c, 4)], true);
    t = applyPage(t, 'older', [message(c, 1), message(c, 2)], false);
    expect(seqs(t)).toEqual([1, 2, 3, 4]);
    expect(t.hasOlder).toBe(false);
  });

  it('hold a window around a search hit, without live messages until it reaches the newest', () => {
    let t = applyPage(undefined, 'newest', [message(c, 99), message(c, 100)], true);
    t = applyPage(t, 'around', [message(c, 10), message(c, 11), message(c, 12)], true, true);
    expect(seqs(t)).toEqual([10, 11, 12]);
    t = addLive(t, message(c, 101));
    expect(seqs(t)).toEqual([10, 11, 12]);
    t = applyPage(t, 'newer', [message(c, 13)], false);
    expect(t.hasNewer).toBe(false);
    t = addLive(t, message(c, 14));
    expect(seqs(t)).toEqual([10, 11, 12, 13, 14]);
  });

  it('jump back to the newest page, dropping the old window', () => {
    let t = applyPage(undefined, 'around', [message(c, 10)], true, true);
    t = applyPage(t, 'newest', [message(c, 99), message(c, 100)], true);
    expect(seqs(t)).toEqual([99, 100]);
    expect(t.hasNewer).toBe(false);
  });

  it('refresh in place after a reconnect (edits win), or reset when there is a gap', () => {
    let t = applyPage(undefined, 'newest', [message(c, 1), message(c, 2)], false);
    t = applyPage(t, 'refresh', [message(c, 2, { content: 'changed' }), message(c, 3)], true);
    expect(seqs(t)).toEqual([1, 2, 3]);
    expect(t.messages[1]?.content).toBe('changed');
    expect(t.hasOlder).toBe(false);
    t = applyPage(t, 'refresh', [message(c, 10), message(c, 11)], true);
    expect(seqs(t)).toEqual([10, 11]);
    expect(t.hasOlder).toBe(true);
  });
});
