/**
 * The notify job of one (recipient, conversation): decides from the store,
 * the source of truth, whether anything is left to notify, and turns it into
 * one coalesced notification per push target of the recipient.
 *
 * Left to notify: messages of others (not system, not deleted, not from a
 * blocked sender) above the recipient's delivered and read watermarks. Once
 * the oldest of them is past the grace period, no device is acknowledging:
 * one notification covers them all, the burst's newer messages included.
 * While all are within their grace, the job looks again later. The notified
 * mark makes each message notified once, even
 * with several nodes running notify jobs of the same key. Messages that
 * arrive while the conversation is muted (except those that @mention the
 * recipient) or do-not-disturb is on are skipped for good (the mark moves past
 * them); they still count in the badge.
 */
import { isCurrent } from '../domain/access.js';
import type { Clock } from '../domain/clock.js';
import type { NotificationSettings, PushPayload, PushPlatform } from '../protocol/push.js';
import type { MessageRecord } from '../store/records.js';
import type { ConversationStore, MessageStore, UserStore } from '../store/stores.js';
import { composeNotification } from './compose.js';
import type { PushMetrics } from './metrics.js';
import type { Job, NewJob, PushQueue } from './queue/queue.js';
import type { PushStore } from './store/store.js';
import type { JobResult } from './worker.js';

export interface NotifyPayload {
  userId: string;
  conversationId: string;
}

export interface DeliverPayload {
  deviceId: string;
  notification: PushPayload;
  /** When the oldest covered message was created (epoch ms): the latency metric's start. */
  messageAt: number;
}

export interface NotifierDeps {
  users: UserStore;
  conversations: ConversationStore;
  messages: MessageStore;
  push: PushStore;
  queue: PushQueue;
  clock: Clock;
  metrics: PushMetrics;
  /** Platforms with a configured provider; targets of others are skipped. */
  platforms: ReadonlySet<PushPlatform>;
  graceMs: number;
  /** Wakes the local worker for a job due at this time. */
  wake(at: number): void;
}

/** Most messages one notification reads (and counts); older ones are beyond any preview. */
const READ_LIMIT = 100;

export function notifyKey(userId: string, conversationId: string): string {
  return `notify:${userId}:${conversationId}`;
}

export class Notifier {
  constructor(private readonly deps: NotifierDeps) {}

  readonly handle = async (job: Job): Promise<JobResult> => {
    const { userId, conversationId } = job.payload as NotifyPayload;
    const { deps } = this;
    const now = deps.clock.now();
    const membership = await deps.conversations.membership(conversationId, userId);
    if (!isCurrent(membership)) return { done: true };
    const conversation = await deps.conversations.byId(conversationId);
    if (!conversation) return { done: true };
    const settings = await deps.push.settings(userId);
    const silence = await this.silenced(userId, conversationId, settings, now);
    if (silence === 'all') {
      // Skipped for good: unmuting later must not bring these back as "new".
      await deps.push.advanceNotified(userId, conversationId, conversation.lastSeq);
      return { done: true };
    }

    const floor = Math.max(membership.deliveredSeq, membership.readSeq, membership.visibleFromSeq - 1);
    if (floor >= conversation.lastSeq) return { done: true };
    const page = await deps.messages.page(
      conversationId,
      { fromSeq: floor + 1, toSeq: conversation.lastSeq },
      { limit: READ_LIMIT },
    );
    const candidates = await this.withoutBlocked(
      userId,
      // A muted conversation still notifies the messages that @mention the user.
      page.messages.filter(
        (m) =>
          m.senderId !== userId &&
          m.type !== 'system' &&
          !m.deletedAt &&
          (silence === 'none' || m.mentions?.includes(userId) === true),
      ),
    );
    const graceEnd = now.getTime() - deps.graceMs;
    const oldest = candidates[0];
    if (!oldest) {
      // Muted, nothing mentions the user: skipped for good, as a mute without mentions would.
      if (silence === 'muted') await deps.push.advanceNotified(userId, conversationId, conversation.lastSeq);
      return { done: true };
    }
    if (Date.parse(oldest.createdAt) > graceEnd) {
      // Every message is still within its grace: look again when the oldest is due (merged into a pending job if any).
      const runAt = Date.parse(oldest.createdAt) + deps.graceMs;
      await deps.queue.enqueue([notifyJob(userId, conversationId, runAt)]);
      deps.wake(runAt);
      return { done: true };
    }
    // Some are overdue, so no device is taking them: the rest of the burst rides along.
    const newest = candidates.at(-1) ?? oldest;
    const before = await deps.push.advanceNotified(userId, conversationId, newest.seq);
    const covered = candidates.filter((m) => m.seq > before);
    const first = covered[0];
    if (!first) return { done: true };

    const [list, senders, devices] = await Promise.all([
      deps.conversations.listForUser(userId),
      deps.users.byIds([...new Set(covered.map((m) => m.senderId))]),
      deps.push.devicesOf(userId),
    ]);
    const notification = composeNotification({
      conversation,
      messages: covered,
      senderNames: new Map(senders.map((u) => [u.id, u.displayName])),
      badge: list.reduce((sum, entry) => sum + entry.unreadCount, 0),
      hidePreviews: settings.hidePreviews,
      recipientId: userId,
    });
    deps.metrics.coalesced.inc(covered.length - 1);
    const messageAt = Date.parse(first.createdAt);
    const jobs: NewJob[] = devices
      .filter((device) => deps.platforms.has(device.platform))
      .map((device) => ({
        kind: 'deliver',
        key: null,
        payload: { deviceId: device.id, notification, messageAt } satisfies DeliverPayload,
        runAt: now.getTime(),
      }));
    await deps.queue.enqueue(jobs);
    if (jobs.length > 0) deps.wake(now.getTime());
    return { done: true };
  };

  /**
   * Do-not-disturb: no notification at all. The conversation muted: only
   * messages that @mention the user.
   */
  private async silenced(
    userId: string,
    conversationId: string,
    settings: NotificationSettings,
    now: Date,
  ): Promise<'none' | 'muted' | 'all'> {
    const iso = now.toISOString();
    if (settings.doNotDisturb && (settings.doNotDisturbUntil === null || settings.doNotDisturbUntil > iso))
      return 'all';
    const mute = await this.deps.push.muteOf(userId, conversationId);
    return mute !== null && (mute.until === null || mute.until > iso) ? 'muted' : 'none';
  }

  private async withoutBlocked(userId: string, messages: MessageRecord[]): Promise<MessageRecord[]> {
    const senders = [...new Set(messages.map((m) => m.senderId))];
    const blocked = new Set<string>();
    await Promise.all(
      senders.map(async (senderId) => {
        if (await this.deps.users.isBlocked(userId, senderId)) blocked.add(senderId);
      }),
    );
    return blocked.size === 0 ? messages : messages.filter((m) => !blocked.has(m.senderId));
  }
}

export function notifyJob(userId: string, conversationId: string, runAt: number): NewJob {
  return {
    kind: 'notify',
    key: notifyKey(userId, conversationId),
    payload: { userId, conversationId } satisfies NotifyPayload,
    runAt,
  };
}
