/**
 * The chat node as the chaos tool starts it: src/node/main.ts plus the one
 * switch only this entry honours, CHAT_CHAOS_UNSAFE_ACK_BEFORE_COMMIT=1 (the
 * negative control, see unsafe-ack.ts). Without it the node is the real one.
 */
import { loadConfig } from '../../src/config/config.js';
import { startNode } from '../../src/node/node.js';
import { ackBeforeCommit } from './unsafe-ack.js';

const unsafe = process.env.CHAT_CHAOS_UNSAFE_ACK_BEFORE_COMMIT === '1';
const config = loadConfig(process.env);
const node = await startNode(config, {
  ...(unsafe
    ? {
        wrapMessageStore: (messages, conversations) =>
          ackBeforeCommit(messages, conversations, 400, (error) => node.logger.error({ err: error }, 'late append')),
      }
    : {}),
});
if (unsafe) node.logger.warn('CHAT_CHAOS_UNSAFE_ACK_BEFORE_COMMIT: acknowledging sends before they are committed');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), config.CHAT_DRAIN_TIMEOUT_SECONDS * 1000).unref();
  node.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
