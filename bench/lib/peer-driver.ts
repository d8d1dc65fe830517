/**
 * The bounded load driver of bench/lib/ws-driver.ts for peer servers that speak
 * another protocol (Socket.IO, XMPP): the same pairs, the same loads (open-loop
 * fixed rates round-robin over the senders, or flat out with a window of
 * unacknowledged sends per sender), the same warm-up / measured interval /
 * drain, the same exactly-once and in-order check, and the same RunResult.
 * Only the transport differs: a PeerTransport opens a pair's sender or
 * receiver and reports deliveries and acks by message id.
 */
import type { Load, RunResult } from './ws-driver.js';

export interface PeerEvents {
  /** The receiver got the message with this id. */
  onMessage(id: string): void;
  /** The target acknowledged the sender's message with this id. */
  onAck(id: string): void;
  /** The target closed the connection. */
  onDisconnect(reason: string): void;
}

export interface PeerConnection {
  send(id: string, content: string): void;
  close(): Promise<void>;
}

export interface PeerTransport {
  /**
   * Whether the target acknowledges each send. Without acks (XMPP has no
   * per-message server ack) a flat-out sender's window closes on delivery and
   * ack latency is not measured.
   */
  readonly acks: boolean;
  /** Opens pair `index`'s receiver (always first) or sender; resolves once it can send and receive. */
  open(index: number, role: 'sender' | 'receiver', events: PeerEvents): Promise<PeerConnection>;
}

export interface PeerRunOptions {
  transport: PeerTransport;
  pairs: number;
  load: Load;
  warmupMs: number;
  durationMs: number;
  drainTimeoutMs: number;
  content: string;
  tag: string;
  maxUnackedPerSender?: number;
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

interface PeerPair {
  sentAt: number[];
  /** Send indexes not yet acknowledged (or, without acks, not yet delivered). */
  pending: Set<number>;
  received: boolean[];
  receivedCount: number;
  duplicates: number;
  outOfOrder: number;
  lastIndex: number;
  sender?: PeerConnection;
  receiver?: PeerConnection;
}

const CONNECT_BATCH = 25;

export async function runPeerLoad(options: PeerRunOptions): Promise<RunResult> {
  const { transport, load, content } = options;
  const prefix = `${options.tag}-`;
  const pairs: PeerPair[] = Array.from({ length: options.pairs }, () => ({
    sentAt: [],
    pending: new Set(),
    received: [],
    receivedCount: 0,
    duplicates: 0,
    outOfOrder: 0,
    lastIndex: -1,
  }));
  const maxUnacked = options.maxUnackedPerSender ?? Number.POSITIVE_INFINITY;
  let running = false;
  let closing = false;
  let measureStart = Number.POSITIVE_INFINITY;
  let measureEnd = Number.POSITIVE_INFINITY;
  let acked = 0;
  let skipped = 0;
  let disconnects = 0;
  let firstError: string | null = null;
  let deliveredInWindow = 0;
  let sentInWindow = 0;
  const e2eMs: number[] = [];
  const e2eAtMs: number[] = [];
  const deliveredAtMs: number[] = [];
  const ackMs: number[] = [];

  const sendOne = (pair: PeerPair): void => {
    const n = pair.sentAt.length;
    const now = performance.now();
    pair.sentAt.push(now);
    pair.pending.add(n);
    if (now >= measureStart && now < measureEnd) sentInWindow++;
    pair.sender?.send(prefix + n, content);
  };

  const settle = (pair: PeerPair, n: number): void => {
    if (!pair.pending.delete(n)) return;
    if (running && load.kind === 'flat-out') sendOne(pair);
  };

  const indexOf = (id: string): number => (id.startsWith(prefix) ? Number(id.slice(prefix.length)) : -1);

  const eventsFor = (pair: PeerPair, role: 'sender' | 'receiver'): PeerEvents => ({
    onAck(id) {
      const n = indexOf(id);
      if (role !== 'sender' || n < 0 || !pair.pending.has(n)) return;
      const now = performance.now();
      acked++;
      const sentAt = pair.sentAt[n] ?? now;
      if (sentAt >= measureStart && sentAt < measureEnd) ackMs.push(now - sentAt);
      settle(pair, n);
    },
    onMessage(id) {
      const n = indexOf(id);
      if (role !== 'receiver' || n < 0) return;
      const now = performance.now();
      if (pair.received[n]) {
        pair.duplicates++;
        return;
      }
      pair.received[n] = true;
      pair.receivedCount++;
      if (n !== pair.lastIndex + 1) pair.outOfOrder++;
      pair.lastIndex = Math.max(pair.lastIndex, n);
      if (now >= measureStart && now < measureEnd) {
        deliveredInWindow++;
        deliveredAtMs.push(now - measureStart);
      }
      const sentAt = pair.sentAt[n];
      if (sentAt !== undefined && sentAt >= measureStart && sentAt < measureEnd) {
        e2eMs.push(now - sentAt);
        e2eAtMs.push(now - measureStart);
      }
      if (!transport.acks) settle(pair, n);
    },
    onDisconnect(reason) {
      if (closing) return;
      disconnects++;
      firstError ??= `${role} closed by the target: ${reason}`;
    },
  });

  try {
    for (let i = 0; i < pairs.length; i += CONNECT_BATCH) {
      const batch = pairs.slice(i, i + CONNECT_BATCH);
      await Promise.all(
        batch.map(async (pair, j) => {
          pair.receiver = await transport.open(i + j, 'receiver', eventsFor(pair, 'receiver'));
          pair.sender = await transport.open(i + j, 'sender', eventsFor(pair, 'sender'));
        }),
      );
    }
    await sleep(200);

    const started = performance.now();
    measureStart = started + options.warmupMs;
    measureEnd = measureStart + options.durationMs;
    running = true;
    let maxScheduleLagMs = 0;
    let scheduleTimer: NodeJS.Timeout | null = null;
    if (load.kind === 'rate') {
      const interval = 1000 / load.messagesPerSecond;
      let k = 0;
      const tick = (): void => {
        if (!running) return;
        const now = performance.now();
        const due = Math.floor((now - started) / interval) + 1;
        if (k < due) maxScheduleLagMs = Math.max(maxScheduleLagMs, now - (started + k * interval));
        while (k < due) {
          const pair = pairs[k % pairs.length];
          if (pair && pair.pending.size >= maxUnacked) skipped++;
          else if (pair) sendOne(pair);
          k++;
        }
        scheduleTimer = setTimeout(tick, Math.max(0, started + k * interval - performance.now()));
      };
      tick();
    } else {
      for (const pair of pairs) for (let i = 0; i < load.window; i++) sendOne(pair);
    }

    await sleep(Math.max(0, measureStart - performance.now()));
    const cpuAtStart = process.cpuUsage();
    options.onMeasureStart?.();
    await sleep(Math.max(0, measureEnd - performance.now()));
    running = false;
    if (scheduleTimer) clearTimeout(scheduleTimer);
    const cpu = process.cpuUsage(cpuAtStart);
    const measuredSeconds = (performance.now() - measureStart) / 1000;
    options.onMeasureEnd?.();

    const drainDeadline = performance.now() + options.drainTimeoutMs;
    const complete = () => pairs.every((p) => p.pending.size === 0 && p.receivedCount >= p.sentAt.length);
    while (!complete() && performance.now() < drainDeadline) await sleep(20);
    const drainTimedOut = !complete();

    const sent = pairs.reduce((sum, p) => sum + p.sentAt.length, 0);
    const received = pairs.reduce((sum, p) => sum + p.receivedCount, 0);
    return {
      pairs: pairs.length,
      sent,
      skipped,
      acked,
      received,
      lost: sent - received,
      duplicates: pairs.reduce((sum, p) => sum + p.duplicates, 0),
      outOfOrder: pairs.reduce((sum, p) => sum + p.outOfOrder, 0),
      errors: 0,
      firstError,
      disconnects,
      measuredSeconds,
      deliveredPerSecond: deliveredInWindow / measuredSeconds,
      sentPerSecond: sentInWindow / measuredSeconds,
      e2eMs,
      e2eAtMs,
      deliveredAtMs,
      ackMs,
      driverCpuPercent: ((cpu.user + cpu.system) / 1e6 / measuredSeconds) * 100,
      maxScheduleLagMs,
      drainTimedOut,
    };
  } finally {
    running = false;
    closing = true;
    await Promise.all(pairs.flatMap((p) => [p.sender?.close(), p.receiver?.close()]));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
