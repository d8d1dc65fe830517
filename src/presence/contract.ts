/**
 * The rules of presence.ts, checked for every PresenceTracker through a
 * harness that opens the tracker of a named node. Real timers with short
 * timings; assertions wait for conditions and bound timings from below (a
 * loaded machine only delays). Multi-node implementations also run the parts
 * where connections live on two nodes and one node dies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '../testing/ws.js';
import type { PresenceSnapshot, PresenceTimings, PresenceTracker } from './presence.js';

export interface PresenceHarness {
  /** The tracker of a node; with one node (multiNode false) every id names the same tracker. */
  node(id: string): Promise<PresenceTracker>;
  multiNode: boolean;
  /** The node dies (kill -9): it stops at once, cleaning nothing up. */
  kill?(id: string): Promise<void>;
  cleanup(): Promise<void>;
}

export type MakePresenceHarness = (timings: PresenceTimings) => Promise<PresenceHarness>;

const LONG = 60_000;
let counter = 0;
const unique = (label: string) => `${label}-${process.pid}-${Date.now().toString(36)}-${++counter}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The statuses announced about one user, in order. */
function announced(tracker: PresenceTracker, userId: string): PresenceSnapshot[] {
  const seen: PresenceSnapshot[] = [];
  tracker.onChange((id, snapshot) => {
    if (id === userId) seen.push(snapshot);
  });
  return seen;
}

function statuses(seen: readonly PresenceSnapshot[]): string[] {
  return seen.map((s) => s.status);
}

async function until(tracker: PresenceTracker, userId: string, status: string, timeoutMs = 5_000): Promise<number> {
  await waitFor(
    `${userId} ${status}`,
    async () => ((await tracker.get(userId)).status === status ? true : undefined),
    timeoutMs,
    10,
  );
  return Date.now();
}

async function heard(seen: readonly PresenceSnapshot[], count: number, timeoutMs = 5_000): Promise<number> {
  await waitFor(`${count} announcements`, () => (seen.length >= count ? true : undefined), timeoutMs, 5);
  return Date.now();
}

export function describePresenceTracker(name: string, makeHarness: MakePresenceHarness): void {
  describe(`PresenceTracker contract: ${name}`, () => {
    async function run(
      timings: Partial<PresenceTimings>,
      test: (harness: PresenceHarness) => Promise<void>,
    ): Promise<void> {
      const harness = await makeHarness({ offlineAfterMs: LONG, idleAfterMs: LONG, ...timings });
      try {
        await test(harness);
      } finally {
        await harness.cleanup();
      }
    }

    it('an unknown user is offline and was never seen', () =>
      run({}, async (harness) => {
        const tracker = await harness.node('a');
        assert.deepEqual(await tracker.get(unique('nobody')), { status: 'offline', lastSeen: null });
      }));

    it('is online from connect, and offline at once when the last connection closes cleanly; lastSeen stays', () =>
      run({}, async (harness) => {
        const tracker = await harness.node('a');
        const user = unique('u');
        const seen = announced(tracker, user);
        const before = Date.now();
        const first = unique('c1');
        await tracker.connect(user, first);
        await heard(seen, 1);
        const online = await tracker.get(user);
        assert.equal(online.status, 'online');
        assert.ok(online.lastSeen && Date.parse(online.lastSeen) >= before - 5, 'lastSeen is the connect time');
        assert.deepEqual(seen[0], online, 'listeners hear the snapshot');
        const other = unique('c2');
        await tracker.connect(user, other);
        tracker.disconnect(user, other, true);
        tracker.disconnect(user, unique('unknown'), true);
        const still = await tracker.get(user);
        assert.equal(still.status, 'online', 'another connection is still open');
        tracker.disconnect(user, first, true);
        assert.deepEqual(await tracker.get(user), { status: 'offline', lastSeen: still.lastSeen }, 'offline at once');
        await heard(seen, 2);
        assert.deepEqual(statuses(seen), ['online', 'offline']);
      }));

    it('stays online while a connection on either node is open; offline when the last one closes', () =>
      run({}, async (harness) => {
        const [a, b] = [await harness.node('a'), await harness.node('b')];
        const user = unique('u');
        const seen = announced(b, user);
        const [phone, laptop] = [unique('phone'), unique('laptop')];
        await a.connect(user, phone);
        await b.connect(user, laptop);
        await heard(seen, 1);
        a.disconnect(user, phone, true);
        assert.equal((await a.get(user)).status, 'online');
        const lastSeen = (await b.get(user)).lastSeen;
        b.disconnect(user, laptop, true);
        await heard(seen, 2);
        assert.deepEqual(statuses(seen), ['online', 'offline'], 'one connection closing is no change');
        assert.deepEqual(await a.get(user), { status: 'offline', lastSeen }, 'lastSeen is kept when offline');
      }));

    it('is idle once every connection said idle, and online again on activity', () =>
      run({}, async (harness) => {
        const [a, b] = [await harness.node('a'), await harness.node('b')];
        const user = unique('u');
        const seen = announced(a, user);
        const [phone, laptop] = [unique('phone'), unique('laptop')];
        await a.connect(user, phone);
        await b.connect(user, laptop);
        a.setStatus(user, phone, 'idle');
        assert.equal((await a.get(user)).status, 'online', 'the laptop is still active');
        b.setStatus(user, laptop, 'idle');
        await until(a, user, 'idle');
        const idleSince = (await a.get(user)).lastSeen;
        a.heartbeat(user, phone);
        assert.equal((await a.get(user)).status, 'idle', 'a heartbeat is not activity');
        assert.equal((await a.get(user)).lastSeen, idleSince, 'nor does it move lastSeen');
        await sleep(5);
        a.setStatus(user, phone, 'online');
        await until(a, user, 'online');
        assert.ok(Date.parse((await a.get(user)).lastSeen ?? '') > Date.parse(idleSince ?? ''), 'lastSeen moved');
        await heard(seen, 3);
        assert.deepEqual(statuses(seen), ['online', 'idle', 'online']);
      }));

    it('goes idle after idleAfterMs without activity, heartbeats or not; activity ends it', () =>
      run({ idleAfterMs: 300 }, async (harness) => {
        const tracker = await harness.node('a');
        const user = unique('u');
        const connection = unique('c');
        const connectedAt = Date.now();
        await tracker.connect(user, connection);
        const pings = setInterval(() => tracker.heartbeat(user, connection), 50);
        try {
          const idleAt = await until(tracker, user, 'idle');
          assert.ok(idleAt - connectedAt >= 290, `idle after ${idleAt - connectedAt} ms, not before 300`);
          tracker.activity(user, connection);
          await until(tracker, user, 'online');
        } finally {
          clearInterval(pings);
        }
      }));

    it('counts a lost connection until offlineAfterMs after its last heartbeat', () =>
      run({ offlineAfterMs: 600 }, async (harness) => {
        const tracker = await harness.node('a');
        const user = unique('u');
        const seen = announced(tracker, user);
        const connection = unique('c');
        await tracker.connect(user, connection);
        await sleep(100);
        const heartbeatAt = Date.now();
        tracker.heartbeat(user, connection);
        tracker.disconnect(user, connection, false);
        const offlineAt = await until(tracker, user, 'offline');
        assert.ok(offlineAt - heartbeatAt >= 590, `offline ${offlineAt - heartbeatAt} ms after the heartbeat`);
        await heard(seen, 2);
        assert.deepEqual(statuses(seen), ['online', 'offline']);
        assert.ok(seen[1]?.lastSeen, 'lastSeen is kept');
      }));

    it('never shows offline a user who reconnects before the timeout', () =>
      run({ offlineAfterMs: 300 }, async (harness) => {
        const [a, b] = [await harness.node('a'), await harness.node('b')];
        const user = unique('u');
        const seen = announced(b, user);
        const first = unique('c1');
        await a.connect(user, first);
        a.disconnect(user, first, false);
        await b.connect(user, unique('c2'));
        await sleep(700);
        assert.equal((await b.get(user)).status, 'online');
        assert.deepEqual(statuses(seen), ['online']);
      }));

    it('announces a change made on one node to the listeners of every node', async (t) => {
      await run({}, async (harness) => {
        if (!harness.multiNode) return t.skip('one node');
        const [a, b] = [await harness.node('a'), await harness.node('b')];
        const user = unique('u');
        const [onA, onB] = [announced(a, user), announced(b, user)];
        const connection = unique('c');
        await a.connect(user, connection);
        a.disconnect(user, connection, true);
        await heard(onA, 2);
        await heard(onB, 2);
        assert.deepEqual(statuses(onB), ['online', 'offline']);
        assert.deepEqual(onB, onA);
      });
    });

    it("takes a dead node's users offline within offlineAfterMs, through another node", async (t) => {
      await run({ offlineAfterMs: 900 }, async (harness) => {
        if (!harness.multiNode || !harness.kill) return t.skip('one node');
        const [a, b] = [await harness.node('a'), await harness.node('b')];
        const user = unique('u');
        const seen = announced(b, user);
        await a.connect(user, unique('c'));
        await heard(seen, 1);
        await sleep(400);
        assert.equal((await b.get(user)).status, 'online', 'a live node keeps its open connections online');
        const killedAt = Date.now();
        await harness.kill('a');
        const offlineAt = await heard(seen, 2, 5_000);
        assert.equal(seen[1]?.status, 'offline');
        const after = offlineAt - killedAt;
        // The last renewal was at most offlineAfterMs / 3 before the kill.
        assert.ok(after >= 900 - 300 - 20, `offline ${after} ms after the kill: too early`);
        assert.ok(after <= 900 + 1_500, `offline ${after} ms after the kill: too late`);
      });
    });
  });
}
