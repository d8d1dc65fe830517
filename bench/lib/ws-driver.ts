/**
 * A WebSocket load driver for pairs of clients: in each pair a sender sends
 * `message:send` frames into a direct conversation and a receiver gets them.
 * It speaks the chat protocol's raw frames over `ws` (the SDK's wire format),
 * and the same frames to the bare relay (bench/relay), which forwards them
 * verbatim, so both targets are driven by the same code:
 *
 * - `chat`: wait for `hello` … `sync:done`; acks are `message:ack {clientMsgId, message}`;
 *   deliveries are `message:new {message}` (to the receiver, and to the sender's
 *   own connection, which acks them too, as a real multi-device client does).
 * - `relay`: ready on open; acks are constant frames, matched in send order;
 *   deliveries are the sender's own `message:send` frames, forwarded.
 *
 * Each connection sends cumulative `message:received` acks, coalesced every
 * `ackIntervalMs`. Loads are a fixed aggregate rate (open loop, paced evenly
 * over the senders on an absolute schedule that does not drift) or flat out
 * (each sender keeps `window` unacknowledged sends in flight). A run sends for
 * warm-up + duration, measures over the duration, then waits for everything in
 * flight to arrive and checks that every message came exactly once, in order.
 */
import WebSocket from 'ws';

export type Dialect = 'chat' | 'relay';

export interface PairEndpoints {
  senderUrl: string;
  receiverUrl: string;
  conversationId: string;
}

export type Load = { kind: 'rate'; messagesPerSecond: number } | { kind: 'flat-out'; window: number };

export interface RunOptions {
  dialect: Dialect;
  pairs: readonly PairEndpoints[];
  load: Load;
  /** Sending before the measured interval starts (JIT, caches, socket buffers). */
  warmupMs: number;
  /** The measured interval; sending stops at its end. */
  durationMs: number;
  /** How long to wait after the end for in-flight messages before counting them lost. */
  drainTimeoutMs: number;
  ackIntervalMs: number;
  content: string;
  /** Unique per run: prefixes clientMsgIds, so idempotency never merges runs and replays are told apart. */
  tag: string;
  /**
   * Fixed-rate loads only: a sender with this many sends unacknowledged skips its
   * scheduled send (counted in `skipped`), bounding the backlog an overloaded
   * target is left with. Unset: pure open loop.
   */
  maxUnackedPerSender?: number;
  /** Called when the measured interval starts and ends (CPU sampling of the target). */
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

export interface RunResult {
  pairs: number;
  sent: number;
  /** Scheduled sends skipped because the sender had `maxUnackedPerSender` unacknowledged. */
  skipped: number;
  acked: number;
  /** Distinct messages the receivers got. */
  received: number;
  lost: number;
  duplicates: number;
  /** Deliveries out of order: a seq that is not the previous + 1 (chat) or a send index that is not (relay). */
  outOfOrder: number;
  /** Sends answered with an `error` frame. */
  errors: number;
  firstError: string | null;
  /** Connections the target closed (or lost) before the run ended. */
  disconnects: number;
  measuredSeconds: number;
  /** Messages delivered to receivers within the measured interval, per second. */
  deliveredPerSecond: number;
  /** Messages sent within the measured interval, per second. */
  sentPerSecond: number;
  /** send → receiver's `message:new`, for messages sent within the measured interval (ms). */
  e2eMs: number[];
  /** When each `e2eMs` sample arrived, ms since the measured interval began (charts over time). */
  e2eAtMs: number[];
  /** When each delivery within the measured interval arrived, ms since it began. */
  deliveredAtMs: number[];
  /** send → `message:ack`, for messages sent within the measured interval (ms). */
  ackMs: number[];
  /** CPU of this (driver) process over the measured interval, % of one core. */
  driverCpuPercent: number;
  /** Worst lateness of the fixed-rate schedule (ms): how far the driver fell behind its timer. */
  maxScheduleLagMs: number;
  /** Whether the drain timed out with messages still missing. */
  drainTimedOut: boolean;
}

interface Frame {
  type?: string;
  clientMsgId?: string;
  conversationId?: string;
  seq?: number;
  code?: string;
  message?: string | { seq?: number; clientMsgId?: string; conversationId?: string };
}

class Connection {
  /** Highest seq seen in this conversation, for the cumulative `message:received`. */
  seenSeq = 0;
  ackedSeq = 0;
  /** True once the initial replay is over (`sync:done`) or, for the relay, once open. */
  live = false;
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((resolve) => {
    this.readyResolve = resolve;
  });

  constructor(
    readonly socket: WebSocket,
    readonly conversationId: string,
  ) {}

  markReady(): void {
    this.live = true;
    this.readyResolve();
  }

  flushAck(): void {
    if (this.seenSeq > this.ackedSeq && this.socket.readyState === WebSocket.OPEN) {
      this.ackedSeq = this.seenSeq;
      this.socket.send(`{"type":"message:received","conversationId":"${this.conversationId}","seq":${this.ackedSeq}}`);
    }
  }
}

class Pair {
  readonly sentAt: number[] = [];
  /** clientMsgId → send index, in send order (the relay's acks are matched to the oldest). */
  readonly unacked = new Map<string, number>();
  readonly received: boolean[] = [];
  receivedCount = 0;
  duplicates = 0;
  outOfOrder = 0;
  lastIndex = -1;
  /** Highest seq the sender's acks named: its own connection must see that far. */
  highestAckedSeq = 0;
  sender!: Connection;
  receiver!: Connection;

  constructor(
    readonly index: number,
    readonly endpoints: PairEndpoints,
  ) {}
}

const CONNECT_BATCH = 50;
/** Well inside the server's default 60 s heartbeat timeout. */
const PING_EVERY_MS = 15_000;
const CONNECT_TIMEOUT_MS = 30_000;

export async function runLoad(options: RunOptions): Promise<RunResult> {
  const { dialect, load, content, tag } = options;
  const prefix = `${tag}-`;
  const pairs = options.pairs.map((endpoints, i) => new Pair(i, endpoints));
  const sockets: WebSocket[] = [];

  let running = false;
  let measureStart = Number.POSITIVE_INFINITY;
  let measureEnd = Number.POSITIVE_INFINITY;
  let acked = 0;
  let errors = 0;
  let skipped = 0;
  const maxUnacked = options.maxUnackedPerSender ?? Number.POSITIVE_INFINITY;
  let disconnects = 0;
  let closing = false;
  let firstError: string | null = null;
  let deliveredInWindow = 0;
  let sentInWindow = 0;
  const e2eMs: number[] = [];
  const e2eAtMs: number[] = [];
  const deliveredAtMs: number[] = [];
  const ackMs: number[] = [];

  const sendOne = (pair: Pair): void => {
    const n = pair.sentAt.length;
    const clientMsgId = prefix + n;
    const frame = JSON.stringify({
      type: 'message:send',
      clientMsgId,
      conversationId: pair.endpoints.conversationId,
      content,
    });
    const now = performance.now();
    pair.sentAt.push(now);
    pair.unacked.set(clientMsgId, n);
    if (now >= measureStart && now < measureEnd) sentInWindow++;
    pair.sender.socket.send(frame);
  };

  const onAck = (pair: Pair, frame: Frame): void => {
    let clientMsgId = frame.clientMsgId;
    if (clientMsgId === undefined) clientMsgId = pair.unacked.keys().next().value;
    if (clientMsgId === undefined) return;
    const n = pair.unacked.get(clientMsgId);
    if (n === undefined) return;
    pair.unacked.delete(clientMsgId);
    const now = performance.now();
    const sentAt = pair.sentAt[n] ?? now;
    if (frame.type === 'message:ack') {
      acked++;
      if (sentAt >= measureStart && sentAt < measureEnd) ackMs.push(now - sentAt);
      const seq = typeof frame.message === 'object' ? frame.message.seq : undefined;
      if (seq !== undefined && seq > pair.highestAckedSeq) pair.highestAckedSeq = seq;
    }
    if (running && load.kind === 'flat-out') sendOne(pair);
  };

  const onDelivery = (pair: Pair, clientMsgId: string, hasSeq: boolean): void => {
    const now = performance.now();
    if (!clientMsgId.startsWith(prefix)) return;
    const n = Number(clientMsgId.slice(prefix.length));
    if (pair.received[n]) {
      pair.duplicates++;
      return;
    }
    pair.received[n] = true;
    pair.receivedCount++;
    // The chat server's order is checked on seqs, per connection (onFrame); the relay's on send indexes.
    if (!hasSeq && n !== pair.lastIndex + 1) pair.outOfOrder++;
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
  };

  const onFrame = (pair: Pair, role: 'sender' | 'receiver', connection: Connection, text: string): void => {
    const frame = JSON.parse(text) as Frame;
    switch (frame.type) {
      case 'message:new': {
        const message = typeof frame.message === 'object' ? frame.message : undefined;
        if (!message || message.conversationId !== connection.conversationId) return;
        const seq = message.seq ?? 0;
        // The protocol's promise: per connection and conversation, strictly increasing seqs with no gap
        // (other runs' messages included, so this holds even if a previous run left a backlog).
        if (connection.live && connection.seenSeq > 0 && seq !== connection.seenSeq + 1) pair.outOfOrder++;
        if (seq > connection.seenSeq) connection.seenSeq = seq;
        if (role === 'receiver' && connection.live) onDelivery(pair, message.clientMsgId ?? '', true);
        return;
      }
      case 'message:send': {
        // The relay forwarded the peer's frame as it was sent.
        if (role !== 'receiver' || !frame.clientMsgId?.startsWith(prefix)) return;
        const n = Number(frame.clientMsgId.slice(prefix.length));
        if (n + 1 > connection.seenSeq) connection.seenSeq = n + 1;
        onDelivery(pair, frame.clientMsgId, false);
        return;
      }
      case 'message:ack':
        if (role === 'sender') onAck(pair, frame);
        return;
      case 'sync:done':
        connection.markReady();
        return;
      case 'error':
        if (role === 'sender' && frame.clientMsgId !== undefined) {
          errors++;
          firstError ??= `${frame.code}: ${String(frame.message)}`;
          onAck(pair, frame);
        } else {
          firstError ??= `${frame.code}: ${String(frame.message)}`;
        }
        return;
      default:
        // hello, message:delivered, presence:update, forwarded receipts …: not measured.
        return;
    }
  };

  const open = (pair: Pair, role: 'sender' | 'receiver'): Promise<void> => {
    const url = role === 'sender' ? pair.endpoints.senderUrl : pair.endpoints.receiverUrl;
    const socket = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(socket);
    const connection = new Connection(socket, pair.endpoints.conversationId);
    if (role === 'sender') pair.sender = connection;
    else pair.receiver = connection;
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      onFrame(pair, role, connection, (data as Buffer).toString('utf8'));
    });
    socket.on('close', (code, reason) => {
      if (closing || !connection.live) return;
      disconnects++;
      firstError ??= `${role} ${pair.index} closed by the target: ${code} ${reason.toString()}`;
    });
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} ${pair.index}: not ready in time`)), CONNECT_TIMEOUT_MS);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`${role} ${pair.index}: handshake answered ${res.statusCode}`));
      });
      if (dialect === 'relay') socket.once('open', () => connection.markReady());
      void connection.ready.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  };

  let ackTimer: NodeJS.Timeout | undefined;

  try {
    for (let i = 0; i < pairs.length; i += CONNECT_BATCH) {
      await Promise.all(
        pairs.slice(i, i + CONNECT_BATCH).flatMap((pair) => [open(pair, 'receiver'), open(pair, 'sender')]),
      );
    }
    let lastPing = performance.now();
    ackTimer = setInterval(() => {
      for (const pair of pairs) {
        pair.sender.flushAck();
        pair.receiver.flushAck();
      }
      // Chat heartbeats as the SDK sends them: a sender idle through a long drain would hit the
      // server's heartbeat timeout (4408). Not to the relay, which would forward and ack them.
      if (dialect === 'chat' && performance.now() - lastPing > PING_EVERY_MS) {
        lastPing = performance.now();
        for (const s of sockets) if (s.readyState === WebSocket.OPEN) s.send('{"type":"ping"}');
      }
    }, options.ackIntervalMs);
    // Let the connect-time bursts (presence, replays) settle before sending.
    await sleep(200);

    const started = performance.now();
    measureStart = started + options.warmupMs;
    measureEnd = measureStart + options.durationMs;
    running = true;
    let maxScheduleLagMs = 0;
    let scheduleTimer: NodeJS.Timeout | null = null;

    if (load.kind === 'rate') {
      // Message k is due at started + k * interval, sent round-robin over the senders.
      const interval = 1000 / load.messagesPerSecond;
      let k = 0;
      const tick = (): void => {
        if (!running) return;
        const now = performance.now();
        const due = Math.floor((now - started) / interval) + 1;
        if (k < due) maxScheduleLagMs = Math.max(maxScheduleLagMs, now - (started + k * interval));
        while (k < due) {
          const pair = pairs[k % pairs.length];
          if (pair && pair.unacked.size >= maxUnacked) skipped++;
          else if (pair) sendOne(pair);
          k++;
        }
        scheduleTimer = setTimeout(tick, Math.max(0, started + k * interval - performance.now()));
      };
      tick();
    } else {
      for (const pair of pairs) for (let i = 0; i < load.window; i++) sendOne(pair);
    }

    let cpuAtStart = process.cpuUsage();
    await sleepUntil(measureStart);
    cpuAtStart = process.cpuUsage();
    options.onMeasureStart?.();
    await sleepUntil(measureEnd);
    running = false;
    if (scheduleTimer) clearTimeout(scheduleTimer);
    const cpu = process.cpuUsage(cpuAtStart);
    const measuredSeconds = (performance.now() - measureStart) / 1000;
    options.onMeasureEnd?.();

    // Drain: every sent message acked and received, and (chat) echoed back to the sender's connection.
    const drainDeadline = performance.now() + options.drainTimeoutMs;
    const complete = () =>
      pairs.every(
        (p) => p.unacked.size === 0 && p.receivedCount >= p.sentAt.length && p.sender.seenSeq >= p.highestAckedSeq,
      );
    while (!complete() && performance.now() < drainDeadline) await sleep(20);
    const drainTimedOut = !complete();
    for (const pair of pairs) {
      pair.sender.flushAck();
      pair.receiver.flushAck();
    }
    await sleep(150);

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
      errors,
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
    if (ackTimer) clearInterval(ackTimer);
    await closeAll(sockets);
  }
}

async function closeAll(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            socket.terminate();
            resolve();
          }, 2000);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.on('error', () => undefined);
          if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
          else socket.close(1000, 'done');
        }),
    ),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sleepUntil(at: number): Promise<void> {
  return sleep(Math.max(0, at - performance.now()));
}
