/** Process entry: load configuration, start a node, drain on SIGTERM and SIGINT. */
import { ConfigError, loadConfig } from '../config/config.js';
import { startNode } from './node.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const node = await startNode(config);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    node.logger.info({ signal }, 'draining');
    const deadline = setTimeout(() => {
      node.logger.error('drain timed out; exiting');
      process.exit(1);
    }, config.CHAT_DRAIN_TIMEOUT_SECONDS * 1000);
    deadline.unref();
    node.close().then(
      () => process.exit(0),
      (error: unknown) => {
        node.logger.error({ err: error }, 'drain failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
