/**
 * Push for one node, from its configuration: the providers that are
 * configured (Web Push always, with generated VAPID keys when none are set;
 * APNs and FCM when their credentials are), the trigger on the domain's
 * events, the worker on the node's queue, and the service the routes use.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ChatConfig } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { ChatEvents } from '../domain/events.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { PushPlatform } from '../protocol/push.js';
import type { Storage } from '../store/stores.js';
import { Deliverer } from './deliverer.js';
import { createPushMetrics, type PushMetrics } from './metrics.js';
import { Notifier } from './notifier.js';
import { ApnsProvider } from './providers/apns.js';
import { FcmProvider } from './providers/fcm.js';
import type { PushProvider } from './providers/provider.js';
import { WebPushProvider } from './providers/web-push.js';
import { PushService } from './service.js';
import { type StopTrigger, subscribePushTrigger } from './trigger.js';
import { resolveVapidKeys } from './vapid.js';
import { PushWorker } from './worker.js';

export interface PushRuntime {
  service: PushService;
  worker: PushWorker;
  metrics: PushMetrics;
  providers: ReadonlyMap<PushPlatform, PushProvider>;
  start(): void;
  /** Stops triggering and claiming, lets the jobs in hand finish, closes the providers. */
  close(): Promise<void>;
  /** As kill -9 would: nothing finishes, claimed jobs wait for their lease to end. */
  abandon(): void;
}

export interface PushDeps {
  config: ChatConfig;
  storage: Storage;
  events: ChatEvents;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** For tests: providers replacing the configured ones. */
  providers?: PushProvider[];
}

const serviceAccount = z.object({
  project_id: z.string().min(1),
  client_email: z.string().min(1),
  private_key: z.string().min(1),
  token_uri: z.url().optional(),
});

async function configuredProviders(config: ChatConfig, logger: Logger): Promise<PushProvider[]> {
  const ca = config.CHAT_PUSH_CA_FILE ? await readFile(config.CHAT_PUSH_CA_FILE, 'utf8') : undefined;
  const tls = ca ? { ca } : {};
  const vapid = await resolveVapidKeys(
    { publicKey: config.CHAT_VAPID_PUBLIC_KEY, privateKey: config.CHAT_VAPID_PRIVATE_KEY },
    config.CHAT_DATA_DIR,
  );
  if (vapid.source === 'generated') {
    logger.warn({ path: vapid.path }, 'CHAT_VAPID_* not set: generated Web Push keys in the data folder');
  }
  const providers: PushProvider[] = [
    new WebPushProvider({
      vapid: { subject: config.CHAT_VAPID_SUBJECT, publicKey: vapid.publicKey, privateKey: vapid.privateKey },
      ...tls,
    }),
  ];
  const apns = [config.CHAT_APNS_KEY_FILE, config.CHAT_APNS_KEY_ID, config.CHAT_APNS_TEAM_ID, config.CHAT_APNS_TOPIC];
  if (apns.some(Boolean)) {
    if (!apns.every(Boolean)) {
      throw new Error(
        'APNs needs CHAT_APNS_KEY_FILE, CHAT_APNS_KEY_ID, CHAT_APNS_TEAM_ID and CHAT_APNS_TOPIC together',
      );
    }
    providers.push(
      new ApnsProvider({
        url: config.CHAT_APNS_URL,
        keyId: config.CHAT_APNS_KEY_ID ?? '',
        teamId: config.CHAT_APNS_TEAM_ID ?? '',
        topic: config.CHAT_APNS_TOPIC ?? '',
        privateKeyPem: await readFile(config.CHAT_APNS_KEY_FILE ?? '', 'utf8'),
        ...tls,
      }),
    );
  }
  if (config.CHAT_FCM_SERVICE_ACCOUNT_FILE) {
    const parsed = serviceAccount.safeParse(JSON.parse(await readFile(config.CHAT_FCM_SERVICE_ACCOUNT_FILE, 'utf8')));
    if (!parsed.success)
      throw new Error(
        'CHAT_FCM_SERVICE_ACCOUNT_FILE is not a service account key (project_id, client_email, private_key)',
      );
    providers.push(
      new FcmProvider({
        serviceAccount: parsed.data,
        url: config.CHAT_FCM_URL,
        ...(config.CHAT_FCM_TOKEN_URL ? { tokenUrl: config.CHAT_FCM_TOKEN_URL } : {}),
        ...tls,
      }),
    );
  }
  return providers;
}

export async function openPush(deps: PushDeps): Promise<PushRuntime> {
  const { config, storage, logger } = deps;
  const list = deps.providers ?? (await configuredProviders(config, logger));
  const providers = new Map(list.map((provider) => [provider.platform, provider]));
  const platforms = new Set(providers.keys());
  const metrics = createPushMetrics(deps.metrics.registry, storage.pushQueue);
  const webPush = providers.get('web');
  const settings = {
    maxAttempts: config.CHAT_PUSH_MAX_ATTEMPTS,
    retryBaseMs: config.CHAT_PUSH_RETRY_BASE_MS,
  };
  let worker: PushWorker | null = null;
  const wake = (at: number) => worker?.wake(at);
  const notifier = new Notifier({
    users: storage.users,
    conversations: storage.conversations,
    messages: storage.messages,
    push: storage.push,
    queue: storage.pushQueue,
    clock: deps.clock,
    metrics,
    platforms,
    graceMs: config.CHAT_PUSH_GRACE_MS,
    wake,
  });
  const deliverer = new Deliverer({ push: storage.push, providers, metrics, logger, ...settings });
  worker = new PushWorker(
    storage.pushQueue,
    { notify: notifier.handle, deliver: deliverer.handle },
    { pollMs: config.CHAT_PUSH_POLL_MS, batch: 32, leaseMs: 60_000, ...settings },
    logger,
  );
  const service = new PushService({
    push: storage.push,
    conversations: storage.conversations,
    clock: deps.clock,
    webPushPublicKey: webPush instanceof WebPushProvider ? webPush.publicKey : null,
    platforms,
    webPushHosts: config.CHAT_WEB_PUSH_HOSTS,
  });
  let stopTrigger: StopTrigger | null = null;
  const runtime: PushRuntime = {
    service,
    worker,
    metrics,
    providers,
    start() {
      stopTrigger ??= subscribePushTrigger({
        events: deps.events,
        push: storage.push,
        queue: storage.pushQueue,
        logger,
        delayMs: Math.max(config.CHAT_PUSH_GRACE_MS, config.CHAT_PUSH_COALESCE_MS),
        wake,
      });
      worker?.start();
    },
    async close() {
      await stopTrigger?.();
      await worker?.stop();
      await Promise.allSettled(list.map((provider) => provider.close()));
    },
    abandon() {
      void stopTrigger?.();
      void worker?.stop();
      for (const provider of list) void provider.close().catch(() => {});
    },
  };
  return runtime;
}
