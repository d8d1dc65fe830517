/**
 * Starts a notify job for every recipient of a new message who has a push
 * target, from the domain's events (not from the gateway): the job runs once
 * the grace period and the coalescing window have passed, and messages that
 * arrive meanwhile join it (one pending job per recipient and conversation).
 * Only the node that stored the message enqueues, so each message is queued
 * once per recipient, whatever the number of nodes.
 */
import type { ChatEvent, ChatEvents } from '../domain/events.js';
import type { Logger } from '../observability/logger.js';
import { notifyJob } from './notifier.js';
import type { PushQueue } from './queue/queue.js';
import type { PushStore } from './store/store.js';

export interface TriggerDeps {
  events: ChatEvents;
  push: PushStore;
  queue: PushQueue;
  logger: Logger;
  /** Wait after a message before looking at it: max(grace period, coalescing window). */
  delayMs: number;
  wake(at: number): void;
}

/** Unsubscribes; resolves once the enqueues already started are done. */
export type StopTrigger = () => Promise<void>;

export function subscribePushTrigger(deps: TriggerDeps): StopTrigger {
  const pending = new Set<Promise<void>>();
  // The messages of one event-loop turn share one lookup of who has a push target:
  // one read per message was a visible share of the send path under load.
  let turn: MessageCreated[] = [];
  const flush = () => {
    const messages = turn;
    turn = [];
    if (messages.length === 0) return;
    const work = enqueueNotifications(deps, messages).catch((error: unknown) =>
      deps.logger.error({ err: error, messages: messages.length }, 'push trigger failed'),
    );
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  const unsubscribe = deps.events.subscribe((event) => {
    if (event.type !== 'message.created' || event.message.type === 'system') return;
    if (turn.length === 0) setImmediate(flush);
    turn.push(event);
  });
  return async () => {
    unsubscribe();
    flush();
    await Promise.allSettled([...pending]);
  };
}

type MessageCreated = Extract<ChatEvent, { type: 'message.created' }>;

async function enqueueNotifications(deps: TriggerDeps, events: readonly MessageCreated[]): Promise<void> {
  const everyone = new Set<string>();
  for (const { message, recipientIds } of events) {
    for (const userId of recipientIds) if (userId !== message.senderId) everyone.add(userId);
  }
  if (everyone.size === 0) return;
  // Most recipients have no push target: they cost a share of one read, no write.
  const targets = new Set(await deps.push.usersWithDevices([...everyone]));
  if (targets.size === 0) return;
  const jobs = [];
  let earliest = Number.POSITIVE_INFINITY;
  for (const { message, recipientIds } of events) {
    const runAt = Date.parse(message.createdAt) + deps.delayMs;
    for (const userId of recipientIds) {
      if (userId === message.senderId || !targets.has(userId)) continue;
      jobs.push(notifyJob(userId, message.conversationId, runAt));
      earliest = Math.min(earliest, runAt);
    }
  }
  if (jobs.length === 0) return;
  await deps.queue.enqueue(jobs);
  deps.wake(earliest);
}
