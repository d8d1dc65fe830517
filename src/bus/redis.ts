/**
 * The bus over Redis pub/sub, for several nodes. Each node subscribes to its
 * own channel (`<prefix>bus:node:<id>`) and to one shared channel
 * (`<prefix>bus:all`). A published event goes to this node's listeners at
 * once, then to the channels of the other nodes that hold a connection of its
 * audience, found in the presence registry (user → node ids); events for
 * everyone and gap notices go to the shared channel.
 *
 * Routed, not broadcast: a node decodes only what its connections need, and
 * the lookup is one script call pipelined with the publishes. A connection is
 * registered before its outbox replay reads the store, so an event routed
 * without it was stored before that read.
 *
 * Redis is never the record. A node whose subscription was lost hears of a gap
 * once it is subscribed again; a node whose publishes failed tells every node
 * of a gap once Redis answers again. Listeners then re-read the store.
 */
import type { Redis } from 'ioredis';
import type { ErrorReporter, RedisSubscriber } from '../redis/connection.js';
import { audienceOf, type Bus, type BusEvent, type BusListener, dispatch } from './bus.js';

/** Where users' connections are: the presence registry. */
export interface RouteLookup {
  /** The ids of the nodes holding a connection of any of the users. */
  nodesOf(userIds: readonly string[]): Promise<string[]>;
}

export interface RedisBusOptions {
  redis: Redis;
  subscriber: RedisSubscriber;
  /** Key and channel prefix shared by the deployment's nodes. */
  prefix: string;
  nodeId: string;
  routes: RouteLookup;
  onError: ErrorReporter;
  /**
   * Runs before gap listeners are called, e.g. registering this node's
   * connections again after a Redis restart: what is published after the
   * listeners re-read the store is then routed here.
   */
  beforeGap?: () => Promise<void>;
}

interface Envelope {
  from: string;
  event?: BusEvent;
  gap?: true;
}

const RETRY_GAP_MS = 1_000;

export class RedisBus implements Bus {
  private readonly listeners = new Set<BusListener>();
  private readonly gapListeners = new Set<() => void>();
  private readonly ownChannel: string;
  private readonly allChannel: string;
  /** Keeps this node's remote publishes in publish order. */
  private tail: Promise<void> = Promise.resolve();
  private gapAnnounced = true;
  private stopResume: () => void = () => {};
  private gapRetry: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(private readonly options: RedisBusOptions) {
    this.ownChannel = `${options.prefix}bus:node:${options.nodeId}`;
    this.allChannel = `${options.prefix}bus:all`;
  }

  /** Subscribes this node's channels; resolves once Redis confirmed them. */
  static async open(options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    await options.subscriber.subscribe(bus.ownChannel, (message) => bus.receive(message));
    await options.subscriber.subscribe(bus.allChannel, (message) => bus.receive(message));
    bus.stopResume = options.subscriber.onResume(() => void bus.gap());
    return bus;
  }

  publish(event: BusEvent): void {
    if (this.closed) return;
    dispatch(this.listeners, event, (error) => this.options.onError(error, 'bus listener'));
    const audience = audienceOf(event);
    // The lookup starts now (pipelined); the publishes go out in publish order.
    const targets = audience === 'everyone' ? Promise.resolve(null) : this.remoteNodes(audience);
    const payload = JSON.stringify({ from: this.options.nodeId, event } satisfies Envelope);
    this.tail = this.tail.then(async () => {
      try {
        const nodes = await targets;
        if (nodes === null) this.send(this.allChannel, payload);
        else for (const node of nodes) this.send(this.channelOf(node), payload);
      } catch (error) {
        this.lost(error);
      }
    });
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events may have missed this node although its subscription held (its
   * routes were lost from Redis and registered again): listeners re-read the
   * store, as after a gap.
   */
  missed(): void {
    if (this.closed) return;
    this.runGapListeners();
  }

  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => this.gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopResume();
    if (this.gapRetry) clearTimeout(this.gapRetry);
    this.listeners.clear();
    this.gapListeners.clear();
    await this.tail;
    await this.options.subscriber.unsubscribe(this.ownChannel);
    await this.options.subscriber.unsubscribe(this.allChannel);
  }

  private channelOf(nodeId: string): string {
    return `${this.options.prefix}bus:node:${nodeId}`;
  }

  private async remoteNodes(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const nodes = await this.options.routes.nodesOf(userIds);
    return nodes.filter((node) => node !== this.options.nodeId);
  }

  private send(channel: string, payload: string): void {
    this.options.redis.publish(channel, payload).catch((error: unknown) => this.lost(error));
  }

  /** A publish failed: some node may have missed it; every node hears of a gap once Redis answers. */
  private lost(error: unknown): void {
    if (this.closed) return;
    this.options.onError(error, 'bus publish');
    if (!this.gapAnnounced) return;
    this.gapAnnounced = false;
    this.announceGap();
  }

  private announceGap(): void {
    if (this.closed) return;
    const payload = JSON.stringify({ from: this.options.nodeId, gap: true } satisfies Envelope);
    this.options.redis.publish(this.allChannel, payload).then(
      () => {
        this.gapAnnounced = true;
      },
      () => setTimeout(() => this.announceGap(), RETRY_GAP_MS).unref(),
    );
  }

  private receive(message: string): void {
    if (this.closed) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch (error) {
      this.options.onError(error, 'bus message');
      return;
    }
    if (envelope.from === this.options.nodeId) return;
    if (envelope.gap) void this.gap();
    else if (envelope.event) {
      dispatch(this.listeners, envelope.event, (error) => this.options.onError(error, 'bus listener'));
    }
  }

  private retryGap(): void {
    if (this.gapRetry || this.closed) return;
    this.gapRetry = setTimeout(() => {
      this.gapRetry = null;
      void this.gap();
    }, RETRY_GAP_MS);
    this.gapRetry.unref();
  }

  private async gap(): Promise<void> {
    if (this.closed) return;
    try {
      await this.options.beforeGap?.();
    } catch (error) {
      this.options.onError(error, 'bus gap preparation');
      // Not prepared (e.g. this node's connections not registered again, so
      // events keep missing it): the whole gap is handled again shortly.
      this.retryGap();
    }
    this.runGapListeners();
  }

  private runGapListeners(): void {
    for (const listener of [...this.gapListeners]) {
      try {
        listener();
      } catch (error) {
        this.options.onError(error, 'bus gap listener');
      }
    }
  }
}
