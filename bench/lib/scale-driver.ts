/**
 * A load-driver child process for the idle and reconnect-storm scenarios
 * (forked with an IPC channel, so it never shares the scenario's event loop
 * or file-descriptor budget). Commands, each answered with a message of the
 * same `type`:
 *
 * - `connect {target, specs, concurrency, heartbeatMs?}`: opens one client per
 *   spec, at most `concurrency` handshakes at a time; `progress {ready}`
 *   messages meanwhile. With `heartbeatMs` the ready clients ping from the
 *   start (a slow ramp must not let the first ones time out).
 * - `heartbeat {periodMs}`: every ready client pings once per period, the
 *   clients spread evenly over it.
 * - `status`: counts (ready, pings, pongs, unexpected closes).
 * - `drop {deadlineMs, expectReplay}`: every connection is cut at once (no
 *   close frame) and each client reconnects with the SDK's backoff; answers when
 *   all are ready again (or at the deadline) with each client's time to ready.
 * - `close`: closes every connection.
 */
import { type ClientSpec, IdleClient, pool, type Target } from './idle-clients.js';

type Command =
  | { type: 'connect'; target: Target; specs: ClientSpec[]; concurrency: number; heartbeatMs?: number }
  | { type: 'heartbeat'; periodMs: number }
  | { type: 'status' }
  | { type: 'drop'; deadlineMs: number; expectReplay: number }
  | { type: 'close' };

let clients: IdleClient[] = [];
let heartbeat: NodeJS.Timeout | null = null;
const HEARTBEAT_TICK_MS = 100;

const reply = (message: Record<string, unknown>) => process.send?.(message);

function status() {
  const codes = new Map<number, number>();
  for (const c of clients) if (c.unexpectedCloses) codes.set(c.lastCloseCode, (codes.get(c.lastCloseCode) ?? 0) + 1);
  return {
    clients: clients.length,
    ready: clients.filter((c) => c.ready).length,
    pingsSent: clients.reduce((s, c) => s + c.pingsSent, 0),
    pongs: clients.reduce((s, c) => s + c.pongs, 0),
    unexpectedCloses: clients.reduce((s, c) => s + c.unexpectedCloses, 0),
    closeCodes: Object.fromEntries(codes),
    failures: clients.reduce((s, c) => s + c.failures, 0),
    firstFailure: clients.find((c) => c.firstFailure)?.firstFailure ?? null,
    replayed: clients.reduce((s, c) => s + c.replayed, 0),
  };
}

async function connect(command: Extract<Command, { type: 'connect' }>): Promise<void> {
  clients = command.specs.map((spec) => new IdleClient(spec, command.target));
  if (command.heartbeatMs) startHeartbeat(command.heartbeatMs);
  const started = performance.now();
  let ready = 0;
  const progress = setInterval(() => reply({ type: 'progress', ready }), 500);
  try {
    await pool(clients, command.concurrency, async (client) => {
      try {
        await client.connect();
        ready++;
      } catch (error) {
        client.failures++;
        client.firstFailure ??= (error as Error).message;
      }
    });
  } finally {
    clearInterval(progress);
  }
  reply({ ...status(), type: 'connect', ms: performance.now() - started });
}

/** Pings every client once per `periodMs`; 0 stops. */
function startHeartbeat(periodMs: number): void {
  if (heartbeat) clearInterval(heartbeat);
  heartbeat = null;
  if (periodMs <= 0) return;
  // Client i pings in slot i mod slots. Slots follow the clock, not the ticks: a tick a busy
  // event loop delayed or dropped (setInterval does not catch up) must not skip a slot's pings,
  // which would leave those clients silent for two periods, past the server's heartbeat timeout.
  const slots = Math.max(1, Math.round(periodMs / HEARTBEAT_TICK_MS));
  const started = performance.now();
  let next = 0;
  heartbeat = setInterval(() => {
    const due = Math.floor((performance.now() - started) / HEARTBEAT_TICK_MS);
    for (; next <= due; next++) {
      for (let i = next % slots; i < clients.length; i += slots) clients[i]?.ping();
    }
  }, HEARTBEAT_TICK_MS);
}

async function drop(command: Extract<Command, { type: 'drop' }>): Promise<void> {
  for (const client of clients) client.failures = 0;
  const droppedAt = Date.now();
  for (const client of clients) client.drop();
  const deadline = droppedAt + command.deadlineMs;
  const readyAfterMs: number[] = new Array(clients.length).fill(-1);
  await Promise.all(
    clients.map(async (client, i) => {
      if (await client.connectWithRetry(deadline, true)) readyAfterMs[i] = client.readyAt - droppedAt;
    }),
  );
  const wrongReplay = clients.filter((c) => c.ready && c.replayedSeqs.size !== command.expectReplay).length;
  reply({ ...status(), type: 'drop', droppedAt, readyAfterMs, wrongReplay });
}

process.on('message', (command: Command) => {
  const run = async () => {
    switch (command.type) {
      case 'connect':
        return connect(command);
      case 'heartbeat':
        startHeartbeat(command.periodMs);
        return reply({ type: 'heartbeat' });
      case 'status':
        return reply({ ...status(), type: 'status' });
      case 'drop':
        return drop(command);
      case 'close':
        if (heartbeat) clearInterval(heartbeat);
        for (const client of clients) client.close();
        clients = [];
        return reply({ type: 'close' });
    }
  };
  run().catch((error: unknown) => reply({ type: 'error', error: String((error as Error)?.stack ?? error) }));
});

process.on('disconnect', () => process.exit(0));
