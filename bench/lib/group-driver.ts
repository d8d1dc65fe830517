/**
 * Load driver for one group conversation: every member connected over the
 * chat protocol's WebSocket (one connection each, waiting for `sync:done`),
 * member 0 sending at a fixed rate (open loop), every other member acknowledging
 * what it got with the cumulative `message:received` as the SDK does. Measures,
 * per message sent in the measured interval, the time from send to its delivery
 * at the last member (the fan-out's tail) and at the first; checks that every
 * member got every message exactly once with no seq gap.
 */
import WebSocket from 'ws';

export interface GroupRunOptions {
  /** WebSocket URLs with tokens; member 0 sends. */
  memberUrls: readonly string[];
  conversationId: string;
  messagesPerSecond: number;
  warmupMs: number;
  durationMs: number;
  drainTimeoutMs: number;
  ackIntervalMs: number;
  content: string;
  tag: string;
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
}

export interface GroupRunResult {
  members: number;
  sent: number;
  acked: number;
  /** Messages every receiving member got. */
  complete: number;
  /** (message, member) deliveries that never arrived. */
  lostDeliveries: number;
  duplicates: number;
  outOfOrder: number;
  errors: number;
  firstError: string | null;
  disconnects: number;
  measuredSeconds: number;
  /** Deliveries (to any member) within the measured interval, per second. */
  deliveriesPerSecond: number;
  /** send → last receiving member's message:new, for messages sent in the measured interval. */
  lastMs: number[];
  /** When each `lastMs` sample completed, ms since the measured interval began. */
  lastAtMs: number[];
  /** send → first receiving member's message:new. */
  firstMs: number[];
  ackMs: number[];
  driverCpuPercent: number;
  drainTimedOut: boolean;
}

interface Frame {
  type?: string;
  clientMsgId?: string;
  code?: string;
  message?: string | { seq?: number; clientMsgId?: string; conversationId?: string };
}

const CONNECT_BATCH = 64;
const PING = '{"type":"ping"}';
/** Well inside the server's default 60 s heartbeat timeout (hello's heartbeatSeconds is 30). */
const PING_EVERY_MS = 15_000;
const CONNECT_TIMEOUT_MS = 60_000;

class Member {
  seenSeq = 0;
  ackedSeq = 0;
  live = false;
  readonly got: boolean[] = [];
  constructor(readonly socket: WebSocket) {}
}

export async function runGroupLoad(options: GroupRunOptions): Promise<GroupRunResult> {
  const prefix = `${options.tag}-`;
  const receivers = options.memberUrls.length - 1;
  const sentAt: number[] = [];
  const remaining: number[] = [];
  const pendingAcks = new Set<number>();
  const members: Member[] = [];
  let measureStart = Number.POSITIVE_INFINITY;
  let measureEnd = Number.POSITIVE_INFINITY;
  let closing = false;
  let acked = 0;
  let complete = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let errors = 0;
  let disconnects = 0;
  let deliveredInWindow = 0;
  let firstError: string | null = null;
  const lastMs: number[] = [];
  const lastAtMs: number[] = [];
  const firstMs: number[] = [];
  const ackMs: number[] = [];
  const inWindow = (t: number | undefined) => t !== undefined && t >= measureStart && t < measureEnd;

  const onFrame = (index: number, member: Member, text: string): void => {
    const frame = JSON.parse(text) as Frame;
    const message = typeof frame.message === 'object' ? frame.message : undefined;
    switch (frame.type) {
      case 'message:new': {
        if (!message || message.conversationId !== options.conversationId) return;
        const seq = message.seq ?? 0;
        if (member.live && member.seenSeq > 0 && seq !== member.seenSeq + 1) outOfOrder++;
        if (seq > member.seenSeq) member.seenSeq = seq;
        const id = message.clientMsgId ?? '';
        if (index === 0 || !member.live || !id.startsWith(prefix)) return;
        const n = Number(id.slice(prefix.length));
        if (member.got[n]) {
          duplicates++;
          return;
        }
        member.got[n] = true;
        const now = performance.now();
        if (inWindow(now)) deliveredInWindow++;
        const left = (remaining[n] ?? receivers) - 1;
        remaining[n] = left;
        const at = sentAt[n];
        if (at === undefined || !inWindow(at)) {
          if (left === 0) complete++;
          return;
        }
        if (left === receivers - 1) firstMs.push(now - at);
        if (left === 0) {
          complete++;
          lastMs.push(now - at);
          lastAtMs.push(now - measureStart);
        }
        return;
      }
      case 'message:ack': {
        if (index !== 0 || !frame.clientMsgId?.startsWith(prefix)) return;
        const n = Number(frame.clientMsgId.slice(prefix.length));
        if (!pendingAcks.delete(n)) return;
        acked++;
        const at = sentAt[n];
        if (at !== undefined && inWindow(at)) ackMs.push(performance.now() - at);
        return;
      }
      case 'sync:done':
        member.live = true;
        return;
      case 'error':
        errors++;
        firstError ??= `${frame.code}: ${String(frame.message)}`;
        return;
      default:
        return;
    }
  };

  const open = (index: number): Promise<void> => {
    const socket = new WebSocket(options.memberUrls[index] ?? '', { perMessageDeflate: false });
    const member = new Member(socket);
    members[index] = member;
    socket.on('message', (data, isBinary) => {
      if (!isBinary) onFrame(index, member, (data as Buffer).toString('utf8'));
    });
    socket.on('close', (code) => {
      if (closing || !member.live) return;
      disconnects++;
      firstError ??= `member ${index} closed by the server: ${code}`;
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`member ${index}: not ready in time`)), CONNECT_TIMEOUT_MS);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`member ${index}: handshake answered ${res.statusCode}`));
      });
      const poll = setInterval(() => {
        if (!member.live) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }, 10);
    });
  };

  let ackTimer: NodeJS.Timeout | undefined;
  let sendTimer: NodeJS.Timeout | undefined;
  // Heartbeats, as the SDK sends them: connecting a thousand members can take longer than the
  // server's heartbeat timeout, and a member that only listens sends nothing else (4408).
  const pingTimer = setInterval(() => {
    for (const m of members) if (m?.socket.readyState === WebSocket.OPEN) m.socket.send(PING);
  }, PING_EVERY_MS);
  try {
    for (let i = 0; i < options.memberUrls.length; i += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, options.memberUrls.length - i) }, (_, j) => i + j);
      await Promise.all(batch.map(open));
    }
    ackTimer = setInterval(() => {
      for (const m of members) {
        if (m.seenSeq > m.ackedSeq && m.socket.readyState === WebSocket.OPEN) {
          m.ackedSeq = m.seenSeq;
          m.socket.send(`{"type":"message:received","conversationId":"${options.conversationId}","seq":${m.ackedSeq}}`);
        }
      }
    }, options.ackIntervalMs);
    await sleep(300);

    const sender = members[0];
    if (!sender) throw new Error('a group needs a sender');
    const started = performance.now();
    measureStart = started + options.warmupMs;
    measureEnd = measureStart + options.durationMs;
    const interval = 1000 / options.messagesPerSecond;
    let running = true;
    const tick = (): void => {
      if (!running) return;
      const due = Math.floor((performance.now() - started) / interval) + 1;
      while (sentAt.length < due) {
        const n = sentAt.length;
        sentAt.push(performance.now());
        pendingAcks.add(n);
        sender.socket.send(
          JSON.stringify({
            type: 'message:send',
            clientMsgId: prefix + n,
            conversationId: options.conversationId,
            content: options.content,
          }),
        );
      }
      sendTimer = setTimeout(tick, Math.max(0, started + sentAt.length * interval - performance.now()));
    };
    tick();
    await sleep(Math.max(0, measureStart - performance.now()));
    const cpuAtStart = process.cpuUsage();
    options.onMeasureStart?.();
    await sleep(Math.max(0, measureEnd - performance.now()));
    running = false;
    clearTimeout(sendTimer);
    const cpu = process.cpuUsage(cpuAtStart);
    const measuredSeconds = (performance.now() - measureStart) / 1000;
    options.onMeasureEnd?.();

    const deadline = performance.now() + options.drainTimeoutMs;
    const done = () => complete >= sentAt.length && pendingAcks.size === 0;
    while (!done() && performance.now() < deadline) await sleep(20);
    const expected = sentAt.length * receivers;
    const got = members.slice(1).reduce((sum, m) => sum + m.got.filter(Boolean).length, 0);
    return {
      members: options.memberUrls.length,
      sent: sentAt.length,
      acked,
      complete,
      lostDeliveries: expected - got,
      duplicates,
      outOfOrder,
      errors,
      firstError,
      disconnects,
      measuredSeconds,
      deliveriesPerSecond: deliveredInWindow / measuredSeconds,
      lastMs,
      lastAtMs,
      firstMs,
      ackMs,
      driverCpuPercent: ((cpu.user + cpu.system) / 1e6 / measuredSeconds) * 100,
      drainTimedOut: !done(),
    };
  } finally {
    closing = true;
    clearInterval(pingTimer);
    clearInterval(ackTimer);
    clearTimeout(sendTimer);
    await Promise.all(
      members.map(
        (m) =>
          new Promise<void>((resolve) => {
            if (m.socket.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              m.socket.terminate();
              resolve();
            }, 2000);
            m.socket.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            m.socket.on('error', () => undefined);
            if (m.socket.readyState === WebSocket.CONNECTING) m.socket.terminate();
            else m.socket.close(1000, 'done');
          }),
      ),
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
