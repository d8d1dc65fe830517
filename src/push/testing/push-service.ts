/**
 * A local Web Push service for end-to-end push tests: browsers (users) get a
 * subscription whose endpoint points here; the test reads back, decrypted,
 * what each user was sent.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PushPayload, WebPushSubscription } from '../../protocol/push.js';
import type { Api, TestUser } from '../../testing/server.js';
import { type Answer, type RecordedRequest, type StandIn, startStandIn } from './stand-in.js';
import { type BrowserKeys, browserKeys, decryptAes128gcm } from './web-push-crypto.js';

export class LocalPushService {
  private readonly keys = new Map<string, BrowserKeys>();
  /** Per endpoint path: answers to give, first one first; then 201. */
  readonly script = new Map<string, Answer[]>();

  private constructor(
    readonly standIn: StandIn,
    readonly caFile: string,
  ) {
    standIn.respond = (request: RecordedRequest) => this.script.get(request.path)?.shift() ?? { status: 201 };
  }

  static async start(dir: string): Promise<LocalPushService> {
    const standIn = await startStandIn('https');
    const caFile = join(dir, 'push-ca.pem');
    await writeFile(caFile, standIn.ca);
    return new LocalPushService(standIn, caFile);
  }

  endpointPath(user: TestUser): string {
    return `/push/${user.user.id}`;
  }

  /** Registers a Web Push device for the user, as the web client does; resolves with its id. */
  async subscribe(api: Api, user: TestUser): Promise<string> {
    const keys = browserKeys();
    this.keys.set(this.endpointPath(user), keys);
    const res = await api.request('POST', '/api/v1/devices', {
      token: user.token,
      body: { platform: 'web', subscription: keys.subscription(`${this.standIn.url}${this.endpointPath(user)}`) },
    });
    if (res.status !== 201) throw new Error(`device registration failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.device.id;
  }

  /** A subscription for the user's endpoint, as a browser would make it (registered by the caller). */
  browserSubscription(user: TestUser): WebPushSubscription {
    const keys = browserKeys();
    this.keys.set(this.endpointPath(user), keys);
    return keys.subscription(`${this.standIn.url}${this.endpointPath(user)}`);
  }

  /** Requests that reached the user's endpoint (whatever was answered). */
  requestsFor(user: TestUser): RecordedRequest[] {
    return this.standIn.requests.filter((r) => r.path === this.endpointPath(user));
  }

  /** The notifications the user's endpoint received, decrypted. */
  received(user: TestUser): PushPayload[] {
    const keys = this.keys.get(this.endpointPath(user));
    if (!keys) return [];
    return this.requestsFor(user).map(
      (r) => JSON.parse(decryptAes128gcm(r.body, keys).toString('utf8')) as PushPayload,
    );
  }

  close(): Promise<void> {
    return this.standIn.close();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
