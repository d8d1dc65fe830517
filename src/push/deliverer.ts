/**
 * The deliver job: one notification to one push target through its platform's
 * provider, and what the answer means: sent; a dead token deletes the target;
 * rate limits and outages retry with exponential backoff (at least as long as
 * the service asked); a refusal gives up.
 */
import type { Logger } from '../observability/logger.js';
import type { PushPlatform } from '../protocol/push.js';
import type { PushMetrics } from './metrics.js';
import type { DeliverPayload } from './notifier.js';
import type { PushProvider, SendOutcome } from './providers/provider.js';
import type { Job } from './queue/queue.js';
import type { PushStore } from './store/store.js';
import { backoffMs, type JobResult } from './worker.js';

export interface DelivererDeps {
  push: PushStore;
  providers: ReadonlyMap<PushPlatform, PushProvider>;
  metrics: PushMetrics;
  logger: Logger;
  maxAttempts: number;
  retryBaseMs: number;
  now?: () => number;
}

export class Deliverer {
  private readonly now: () => number;

  constructor(private readonly deps: DelivererDeps) {
    this.now = deps.now ?? Date.now;
  }

  readonly handle = async (job: Job): Promise<JobResult> => {
    const { deviceId, notification, messageAt } = job.payload as DeliverPayload;
    const { deps } = this;
    const device = await deps.push.deviceById(deviceId);
    if (!device) return { done: true };
    const provider = deps.providers.get(device.platform);
    if (!provider) return { done: true };
    const outcome = await provider.send(device, notification);
    const platform = device.platform;
    switch (outcome.status) {
      case 'sent':
        deps.metrics.sent.inc({ platform });
        deps.metrics.latency.observe({ platform }, Math.max(0, this.now() - messageAt) / 1000);
        return { done: true };
      case 'gone':
        deps.metrics.failed.inc({ platform, reason: 'invalid_token' });
        await deps.push.deleteDevice(device.id);
        deps.logger.info(
          { deviceId, platform, reason: outcome.reason },
          'push target removed: the service says it is gone',
        );
        return { done: true };
      case 'failed':
        deps.metrics.failed.inc({ platform, reason: 'rejected' });
        deps.logger.warn({ deviceId, platform, reason: outcome.reason }, 'push refused by the service');
        return { done: true };
      case 'retry':
        return this.retry(job, platform, outcome);
    }
  };

  private retry(job: Job, platform: PushPlatform, outcome: Extract<SendOutcome, { status: 'retry' }>): JobResult {
    const { metrics, logger } = this.deps;
    const reason =
      outcome.reason === 'rate_limited'
        ? 'rate_limited'
        : outcome.reason.startsWith('network')
          ? 'network'
          : 'unavailable';
    metrics.failed.inc({ platform, reason });
    if (job.attempt >= this.deps.maxAttempts) {
      metrics.failed.inc({ platform, reason: 'gave_up' });
      logger.warn({ platform, reason: outcome.reason, attempts: job.attempt }, 'push given up after retries');
      return { done: true };
    }
    const delay = Math.max(outcome.retryAfterMs ?? 0, backoffMs(job.attempt, this.deps.retryBaseMs));
    return { done: false, retryAt: this.now() + delay, error: outcome.reason };
  }
}
