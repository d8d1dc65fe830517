/** Test helpers: a real node on port 0 over a temporary data folder, and a small HTTP client. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { type ChatNode, startNode } from '../node/node.js';
import type { User } from '../protocol/dto.js';

export interface TestServer {
  node: ChatNode;
  url: string;
  dataDir: string;
  api: Api;
  close(): Promise<void>;
}

export async function tempDir(prefix = 'chat-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = env.CHAT_DATA_DIR ?? (await tempDir());
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    // Tests send faster than one user may (20/s, bursts of 50); abuse-limits.test.ts sets its own limits.
    CHAT_MESSAGE_RATE_PER_SECOND: '1000000',
    CHAT_MESSAGE_RATE_BURST: '1000000',
    CHAT_GROUP_CREATE_PER_HOUR: '1000000',
    CHAT_JWT_SECRET: 'test-secret-test-secret-test-secret-0123456789',
    ...env,
    CHAT_DATA_DIR: dataDir,
  });
  const node = await startNode(config);
  return {
    node,
    url: node.url,
    dataDir,
    api: new Api(node.url),
    async close() {
      await node.close();
      if (!env.CHAT_DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, for malformed-input tests. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestUser {
  user: User;
  token: string;
}

let userCounter = 0;

export class Api {
  constructor(readonly baseUrl: string) {}

  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert on them
  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] ??= 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body: body as BodyInit | undefined });
    const text = await response.text();
    let parsed: unknown = text;
    if (text && response.headers.get('content-type')?.includes('application/json')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  /** Registers a fresh user with a unique name. */
  async user(prefix = 'user'): Promise<TestUser> {
    userCounter += 1;
    const username = `${prefix}_${process.pid}_${userCounter}`.toLowerCase().slice(0, 32);
    const res = await this.request('POST', '/api/v1/auth/register', {
      body: { username, password: 'correct horse battery', displayName: prefix },
    });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as TestUser;
  }

  async direct(a: TestUser, b: TestUser): Promise<string> {
    const res = await this.request('POST', '/api/v1/conversations', {
      token: a.token,
      body: { type: 'direct', userId: b.user.id },
    });
    return res.body.conversation.id;
  }

  async group(admin: TestUser, members: TestUser[], name = 'group'): Promise<string> {
    const res = await this.request('POST', '/api/v1/groups', {
      token: admin.token,
      body: { name, memberIds: members.map((m) => m.user.id) },
    });
    if (res.status !== 201) throw new Error(`group failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.conversation.id;
  }

  async send(sender: TestUser, conversationId: string, content: string, clientMsgId = `c-${Math.random()}`) {
    return this.request('POST', '/api/v1/messages', {
      token: sender.token,
      body: { conversationId, clientMsgId, content },
    });
  }
}
