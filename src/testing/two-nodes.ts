/**
 * Two nodes in this process sharing PostgreSQL (a schema of this run) and
 * Redis (a key prefix of this run), for the scale-out tests of one feature.
 * Call inside a `requireServices` body: it registers the before/after hooks
 * that start both nodes and drop the schema, the prefix and every connection
 * a test opened through `connect`.
 */
import { after, before } from 'node:test';
import { createSchema, DATABASE_URL, dropSchema } from '../store/postgres/test-support.js';
import { startTestServer, type TestServer, type TestUser } from './server.js';
import { dropPrefix, REDIS_URL, testPrefix } from './services.js';
import { WsClient } from './ws.js';

export interface TwoNodes {
  /** Both nodes, once the suite's before hook has started them. */
  started(): Promise<{ a: TestServer; b: TestServer }>;
  /** A connection that has had its `hello`, closed when the suite ends. */
  connect(on: TestServer, user: TestUser, deviceId?: string): Promise<WsClient>;
}

export interface TwoNodeOptions {
  nodeIds?: [string, string];
  /** Settings of both nodes beside (or over) the shared database and Redis ones. */
  env?: Record<string, string>;
}

export function useTwoNodes({ nodeIds = ['a', 'b'], env: extra = {} }: TwoNodeOptions = {}): TwoNodes {
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  let schema = '';
  let resolve: (nodes: { a: TestServer; b: TestServer }) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  // Node 20 has no Promise.withResolvers.
  const running = new Promise<{ a: TestServer; b: TestServer }>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  running.catch(() => {});
  const prefix = testPrefix();
  const open: WsClient[] = [];
  const env = (nodeId: string) => ({
    DATABASE_URL,
    CHAT_DATABASE_SCHEMA: schema,
    CHAT_DATABASE_POOL_SIZE: '4',
    REDIS_URL,
    CHAT_REDIS_PREFIX: prefix,
    CHAT_NODE_ID: nodeId,
    ...extra,
  });

  before(async () => {
    try {
      schema = await createSchema(DATABASE_URL);
      a = await startTestServer(env(nodeIds[0]));
      b = await startTestServer(env(nodeIds[1]));
      resolve({ a, b });
    } catch (error) {
      reject(error);
      throw error;
    }
  });
  after(async () => {
    await Promise.all(open.map((client) => client.close()));
    await Promise.all([a?.close(), b?.close()]);
    await dropSchema(DATABASE_URL, schema);
    await dropPrefix(prefix);
  });

  return {
    started: () => running,
    async connect(on, user, deviceId) {
      const client = await WsClient.ready(on.url, user.token, deviceId ? { deviceId } : {});
      open.push(client);
      return client;
    },
  };
}
