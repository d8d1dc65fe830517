/** The run's traffic: sends at a steady rate, and members leaving groups (membership churn). */
import type { ChaosClient } from './clients.js';
import type { Population } from './population.js';
import type { RestClient } from './rest.js';
import type { Rng } from './rng.js';
import { sleep } from './wait.js';

/**
 * Membership churn: every `everyMs` (20 s) a member (never the creator) leaves a group of
 * more than three, so the checker can tell whether anyone receives a message
 * of a conversation after leaving it. The leave's seq is read from the store
 * afterwards, so a leave whose answer a fault swallowed still counts.
 */
export async function churn(
  rest: RestClient,
  population: Population,
  clients: readonly ChaosClient[],
  rng: Rng,
  everyMs: number,
  endAt: number,
  log: (line: string) => void,
  since: () => number,
): Promise<void> {
  const current = new Map(population.conversations.map((c) => [c.id, c.members.map((m) => m.userId)]));
  for (let next = Date.now() + everyMs / 2; next < endAt - 5_000; next += everyMs) {
    await sleep(next - Date.now());
    const groups = population.conversations.filter((c) => c.kind === 'group' && (current.get(c.id)?.length ?? 0) > 3);
    if (groups.length === 0) return;
    const group = rng.pick(groups);
    const members = current.get(group.id) ?? [];
    const userId = rng.pick(members.slice(1));
    const member = population.members.find((m) => m.userId === userId);
    const client = clients.find((c) => c.history.userId === userId);
    if (!member || !client) continue;
    current.set(
      group.id,
      members.filter((id) => id !== userId),
    );
    client.leave(group.id);
    try {
      await rest.call('DELETE', `/api/v1/groups/${group.id}/members/${userId}`, {
        token: member.token,
        patienceMs: 20_000,
      });
      log(`${since()} ms: client ${client.history.client} left group ${group.id.slice(0, 8)}`);
    } catch (error) {
      log(`${since()} ms: leave of client ${client.history.client} answered ${String(error).slice(0, 120)}`);
    }
  }
}

export async function sendTraffic(clients: readonly ChaosClient[], rng: Rng, ratePerSecond: number, endAt: number) {
  const interval = 1000 / ratePerSecond;
  let next = Date.now();
  while (Date.now() < endAt) {
    const client = rng.pick(clients);
    // A client that cannot get through stops piling up sends (its outbox stays bounded).
    if (client.conversations.length > 0 && client.pending < 25) client.send(rng.pick(client.conversations));
    next += interval;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait);
  }
}
