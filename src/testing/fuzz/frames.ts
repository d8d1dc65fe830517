/**
 * Random and adversarial WebSocket frames against the live server: each one
 * must be answered (an error frame, or what a valid frame gets) and followed
 * by a pong; a connection may only end as the protocol says (1008 after too
 * many malformed frames, 1009 for a frame over the size limit).
 */
import fc from 'fast-check';
import { ERROR_CODES } from '../../protocol/errors.js';
import { CLOSE_CODES, clientFrame } from '../../protocol/frames.js';
import { LIMITS } from '../../protocol/limits.js';
import { WsClient } from '../ws.js';
import { hostileText } from './adversarial.js';
import { checkProperty, type PropertyRun } from './property.js';
import type { FuzzTally, FuzzTarget } from './target.js';

const ALLOWED_CLOSES = new Set<number>([CLOSE_CODES.policyViolation, 1009]);

function isPing(text: string, binary: boolean): boolean {
  if (binary) return false;
  try {
    return clientFrame.safeParse(JSON.parse(text)).data?.type === 'ping';
  } catch {
    return false;
  }
}

export async function fuzzFrames(target: FuzzTarget, run: PropertyRun, tally: FuzzTally): Promise<void> {
  const connect = () => WsClient.ready(target.url, target.alice.token, { deviceId: 'fuzz-frames' });
  let client = await connect();
  // An oversized frame is refused with 1009 and the socket dropped while the client may still be writing:
  // the client then sees the reset before the close frame (1006). Only then is 1006 an acceptable end.
  const reopen = async (oversized: boolean) => {
    const code = await client.closed;
    tally.closes[String(code)] = (tally.closes[String(code)] ?? 0) + 1;
    if (!ALLOWED_CLOSES.has(code) && !(oversized && code === 1006)) throw new Error(`connection closed with ${code}`);
    client = await connect();
  };
  let lastOversized = false;
  const ids = [target.groupId, target.directId];
  await checkProperty(
    fc.asyncProperty(hostileText(ids), fc.boolean(), async (text, binary) => {
      if (!client.isOpen) await reopen(lastOversized);
      lastOversized = Buffer.byteLength(text) > LIMITS.wsFrameBytes;
      tally.inputs++;
      const seen = client.frames.length;
      client.sendRaw(text, { binary });
      try {
        // A closed connection answers nothing: stop waiting for its pong at once.
        const closed = client.closed.then(() => {
          throw new Error('closed');
        });
        closed.catch(() => {});
        // A fuzzed frame that is a valid ping earns a pong of its own, answered before ours.
        await Promise.race([client.ping(5_000, isPing(text, binary) ? 1 : 0), closed]);
      } catch (error) {
        if (client.isOpen) throw error;
        await reopen(lastOversized);
        return;
      }
      for (const frame of client.frames.slice(seen)) {
        if (frame.type === 'error' && !(frame.code in ERROR_CODES)) {
          throw new Error(`error frame with an unregistered code ${String(frame.code)}`);
        }
      }
    }),
    run,
  );
  await client.close();
  await target.assertAlive();
}
