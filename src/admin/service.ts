/**
 * The admin dashboard's server side: samples this node every interval,
 * exchanges samples with the other nodes, scans the largest outboxes now and
 * then, and pushes `admin:stats` to subscribed admin connections. Every entry
 * point checks the caller's admin flag.
 */

import type { AdminFrameHandler } from '../gateway/ws/admin.js';
import type { Session } from '../gateway/ws/session.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { AdminOverview, AdminStats, NodeSample, OutboxEntry } from '../protocol/admin.js';
import { ChatError } from '../protocol/errors.js';
import type { AdminStore } from '../store/stores.js';
import type { ClusterView } from './cluster.js';
import { combine, type NodeSampler } from './sampler.js';

export interface AdminServiceOptions {
  intervalMs: number;
  /** 0: never (the outbox list stays empty). */
  outboxScanMs: number;
  outboxLimit: number;
  historyLength: number;
}

export class AdminService implements AdminFrameHandler {
  private readonly subscribers = new Set<Session>();
  private readonly history: NodeSample[] = [];
  private latest: AdminStats;
  private outboxes: OutboxEntry[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private ticking = false;
  private scanning = false;

  constructor(
    private readonly store: AdminStore,
    private readonly sampler: NodeSampler,
    private readonly cluster: ClusterView,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: AdminServiceOptions,
  ) {
    const empty = combine([], new Date().toISOString());
    this.latest = { sample: empty, nodes: [], outboxes: [] };
  }

  start(): void {
    const every = (ms: number, fn: () => Promise<void>) => {
      const timer = setInterval(() => void fn(), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.intervalMs, () => this.tick());
    if (this.options.outboxScanMs > 0) {
      every(this.options.outboxScanMs, () => this.scanOutboxes());
      void this.scanOutboxes();
    }
    void this.tick();
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.subscribers.clear();
  }

  async requireAdmin(userId: string): Promise<void> {
    if (!(await this.store.isAdmin(userId))) throw new ChatError('forbidden', 'admins only');
  }

  overview(): AdminOverview {
    return { ...this.latest, history: [...this.history], intervalMs: this.options.intervalMs };
  }

  async subscribe(session: Session, ref: string | undefined): Promise<void> {
    await this.requireAdmin(session.userId);
    this.subscribers.add(session);
    session.send({ type: 'admin:subscribed', ...(ref ? { ref } : {}), ...this.overview() });
  }

  unsubscribe(session: Session): void {
    this.subscribers.delete(session);
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const sample = await this.sampler.sample();
      const nodes = await this.cluster.exchange(sample).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'could not exchange admin stats with the other nodes');
        return null;
      });
      const samples = nodes
        ? nodes.flatMap((node) => (node.health === 'ok' && node.sample ? [node.sample] : []))
        : [sample];
      const deployment = combine(samples.length > 0 ? samples : [sample], sample.at);
      this.history.push(deployment);
      if (this.history.length > this.options.historyLength) this.history.shift();
      this.latest = { sample: deployment, nodes: nodes ?? this.latest.nodes, outboxes: this.outboxes };
      for (const session of this.subscribers) {
        if (!session.isOpen) this.subscribers.delete(session);
        else session.send({ type: 'admin:stats', ...this.latest });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'admin stats sample failed');
    } finally {
      this.ticking = false;
    }
  }

  private async scanOutboxes(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      this.outboxes = await this.store.largestOutboxes(this.options.outboxLimit);
      this.metrics.outboxes.reset();
      for (const entry of this.outboxes) this.metrics.outboxes.set({ user: entry.username }, entry.undelivered);
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox scan failed');
    } finally {
      this.scanning = false;
    }
  }
}
