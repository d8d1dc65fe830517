/** Raw WebSocket abuse and random frames against a live server process: it stays up and closes as documented. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fuzzFrames } from './frames.js';
import { abuseSockets } from './socket-abuse.js';
import { type FuzzTarget, startFuzzTarget, tally } from './target.js';

describe('WebSocket fuzzing (live server process)', () => {
  let target: FuzzTarget;
  before(async () => {
    target = await startFuzzTarget();
  });
  after(() => target.close());

  it('hand-built socket abuse: expected close codes, process up, memory bounded, canary fast', async () => {
    const t = tally('raw sockets');
    await abuseSockets(target, 1, t);
    assert.equal(t.crashes, 0);
    assert.ok(t.inputs >= 10);
  });

  it('random and adversarial frames: each answered, connection ends only with 1008/1009', async () => {
    const t = tally('frames');
    await fuzzFrames(target, { runs: 150 }, t);
    assert.equal(t.inputs, 150);
    const roundTrip = await target.canaryRoundTrip();
    assert.ok(roundTrip < 1_000, `canary round trip ${roundTrip} ms`);
  });

  // A fuzzed frame that was itself a valid ping once answered the harness's ping early, so the
  // next input was blamed for the previous one's oversized close.
  it('regression: seed 356425890, a fuzzed ping before an oversized frame', async () => {
    const t = tally('frames');
    await fuzzFrames(target, { runs: 60, seed: 356_425_890 }, t);
    assert.equal(t.inputs, 60);
  });
});
