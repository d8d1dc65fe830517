/** The typing notifier under mocked time: throttled starts, idle stop, stop on send, offline. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { ClientFrame } from './protocol.js';
import { TypingNotifier } from './typing.js';

describe('TypingNotifier', () => {
  let frames: string[];
  let online: boolean;
  let notifier: TypingNotifier;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    frames = [];
    online = true;
    notifier = new TypingNotifier((frame: ClientFrame) => {
      if (!online) return false;
      frames.push(`${frame.type} ${'conversationId' in frame ? frame.conversationId : ''}`);
      return true;
    }, 3000);
  });
  afterEach(() => {
    notifier.reset();
    mock.timers.reset();
  });

  /** Keystrokes every `everyMs` for `forMs`. */
  function type(conversationId: string, forMs: number, everyMs = 200): void {
    for (let t = 0; t < forMs; t += everyMs) {
      notifier.keystroke(conversationId);
      mock.timers.tick(everyMs);
    }
  }

  it('sends typing:start at most once every 3 s while typing', () => {
    type('c1', 10_000);
    // Starts at 0, 3 s, 6 s and 9 s.
    assert.deepEqual(frames, ['typing:start c1', 'typing:start c1', 'typing:start c1', 'typing:start c1']);
  });

  it('sends typing:stop 3 s after the last keystroke, and not before', () => {
    type('c1', 1000);
    mock.timers.tick(2700);
    assert.deepEqual(frames, ['typing:start c1']);
    mock.timers.tick(200);
    assert.deepEqual(frames, ['typing:start c1', 'typing:stop c1']);
    assert.equal(notifier.isTyping('c1'), false);
    notifier.keystroke('c1');
    assert.deepEqual(frames.at(-1), 'typing:start c1', 'a new burst starts again at once');
  });

  it('stop() (on send) stops at once and only once', () => {
    type('c1', 600);
    notifier.stop('c1');
    notifier.stop('c1');
    mock.timers.tick(10_000);
    assert.deepEqual(frames, ['typing:start c1', 'typing:stop c1']);
  });

  it('keeps conversations apart', () => {
    notifier.keystroke('c1');
    mock.timers.tick(1000);
    notifier.keystroke('c2');
    mock.timers.tick(2100);
    assert.deepEqual(frames, ['typing:start c1', 'typing:start c2', 'typing:stop c1']);
    mock.timers.tick(1000);
    assert.deepEqual(frames.at(-1), 'typing:stop c2');
  });

  it('offline: nothing goes out, the next keystroke online starts, no stray stop', () => {
    online = false;
    type('c1', 1000);
    online = true;
    notifier.keystroke('c1');
    assert.deepEqual(frames, ['typing:start c1']);
    online = false;
    notifier.reset();
    mock.timers.tick(10_000);
    assert.deepEqual(frames, ['typing:start c1']);
    online = true;
    notifier.stop('c1');
    assert.deepEqual(frames, ['typing:start c1'], 'a stop without a start');
  });
});
