import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, Progress } from './progress.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (text: string) => writes.push(text) > 0 };
}

describe('progress bar', () => {
  it('shows label, done/total, rate and ETA', () => {
    let now = 0;
    const stream = sink(false);
    const progress = new Progress('register', 100, { stream, unit: 'users', now: () => now });
    now = 10_000;
    progress.update(25);
    assert.equal(progress.line(), 'register [######------------------] 25/100 2.5 users/s elapsed 10s ETA 30s');
  });

  it('prints plain, throttled lines when not a TTY, and always the final one', () => {
    let now = 0;
    const stream = sink(false);
    const progress = new Progress('runs', 10, { stream, now: () => now, plainEveryMs: 5000 });
    for (let i = 1; i <= 9; i++) {
      now += 1000;
      progress.update(i);
    }
    progress.finish();
    assert.ok(
      stream.writes.every((w) => w.endsWith('\n') && !w.includes('\r')),
      'plain lines',
    );
    assert.ok(stream.writes.length <= 4, `throttled: ${stream.writes.length} lines`);
    assert.match(stream.writes.at(-1) ?? '', /9\/10/);
  });

  it('redraws one line in place on a TTY', () => {
    let now = 0;
    const stream = sink(true);
    const progress = new Progress('runs', 2, { stream, now: () => now });
    now = 1000;
    progress.tick();
    now = 2000;
    progress.tick();
    progress.finish();
    assert.ok(stream.writes.slice(0, -1).every((w) => w.startsWith('\r')));
    assert.equal(stream.writes.at(-1), '\n');
    assert.match(stream.writes.at(-2) ?? '', /2\/2 .*ETA 0s/);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(42), '42s');
    assert.equal(formatDuration(125), '2m05s');
    assert.equal(formatDuration(3 * 3600 + 60), '3h01m');
    assert.equal(formatDuration(Number.NaN), '?');
  });
});
