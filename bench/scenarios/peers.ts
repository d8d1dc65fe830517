/**
 * `peer-socketio` and `peer-ejabberd`: a peer server beside the chat server
 * and the bare relay, with the same pairs, loads and timing as `direct`, in one
 * run. The peers do no storage; the chat server stores every message durably
 * before its ack, so the ratio chat server / peer is a cost of durability and
 * protocol together.
 *
 * Options: as `direct` (`--quick`, `--pairs=N`, `--duration=SECONDS`, `--rounds=N`).
 */
import {
  compare,
  comparisonRows,
  deliveredMedian,
  deliveryNote,
  latencyChart,
  ratioRows,
  relayBaseline,
  runsForJson,
  throughputChart,
} from '../lib/compare.js';
import { numberOption } from '../lib/options.js';
import { describeMachine, writeReport } from '../lib/report.js';
import { CONTENT, chatTarget, relayTarget, socketIoTarget, type Target } from '../lib/targets.js';
import { ejabberdInstalled, ejabberdTarget } from '../peers/ejabberd.js';
import type { ScenarioOptions } from '../run.js';
import { FLAT_OUT, rateLoad, wsTiming } from './direct.js';

interface PeerSpec {
  scenario: string;
  description: string;
  start(pairs: number): Promise<Target>;
  /** Why the scenario cannot run here, or null. */
  unavailable(): string | null;
  notes: string[];
}

async function peerScenario(spec: PeerSpec, quick: boolean): Promise<void> {
  const why = spec.unavailable();
  if (why) {
    console.log(`${spec.scenario}: skipped: ${why}`);
    return;
  }
  const pairs = Math.round(numberOption('pairs', quick ? 25 : 100));
  const { rounds, bucketMs, ...timing } = wsTiming(quick);
  const loads = quick ? [rateLoad(1000), FLAT_OUT] : [rateLoad(1000), rateLoad(5000), rateLoad(10000), FLAT_OUT];
  const targets: Target[] = [];
  try {
    const relay = await relayTarget(pairs);
    targets.push(relay);
    const peer = await spec.start(pairs);
    targets.push(peer);
    const server = await chatTarget(pairs, { fromSource: quick });
    targets.push(server);
    const cmp = await compare({ targets: [...targets], loads, rounds, timing, bucketMs });
    const peerFlat = deliveredMedian(cmp, peer, FLAT_OUT);
    const serverFlat = deliveredMedian(cmp, server, FLAT_OUT);
    const relayFlat = deliveredMedian(cmp, relay, FLAT_OUT);
    const machine = describeMachine();
    writeReport({
      scenario: spec.scenario,
      description: spec.description,
      machine,
      parameters: {
        pairs,
        connections: pairs * 2,
        rounds,
        warmupSeconds: timing.warmupMs / 1000,
        durationSeconds: timing.durationMs / 1000,
        contentBytes: CONTENT.length,
        quick: quick ? 'yes' : 'no',
      },
      baseline: relayBaseline(
        cmp,
        relay,
        FLAT_OUT,
        pairs,
        `${peer.name} = ${Math.round((peerFlat / relayFlat) * 100)}% of relay`,
      ),
      rows: [
        ...comparisonRows(cmp),
        ...ratioRows(cmp, relay, FLAT_OUT),
        {
          target: 'ratio',
          load: FLAT_OUT.name,
          'delivered msg/s': `chat server = ${Math.round((serverFlat / peerFlat) * 100)}% of ${peer.name}`,
        },
      ],
      charts: [
        ...loads.filter((l) => l.load.kind === 'rate').map((l) => latencyChart(cmp, l)),
        throughputChart(cmp, FLAT_OUT),
      ],
      notes: [
        deliveryNote(cmp, timing.drainTimeoutMs / 1000),
        ...spec.notes,
        `Same driver semantics as \`direct\`: ${pairs} pairs, open-loop fixed rates round-robin over the senders, flat out with 10 sends in flight per sender; ` +
          `${rounds} round(s), targets interleaved, medians. The chat server stores durably (fsync before the ack); the peer stores nothing.`,
        `Machine: ${machine.cpus} cores shared by the driver, the targets and (at the time of the run) other work: the ratios measured side by side are what matter.`,
      ],
      runs: runsForJson(cmp),
    });
  } finally {
    for (const t of targets) await t.stop();
  }
}

export function peerSocketIoScenario({ quick }: ScenarioOptions): Promise<void> {
  return peerScenario(
    {
      scenario: 'peer-socketio',
      description:
        'A plain Socket.IO chat relay (socket.io 4, WebSocket transport only, rooms per user, emit to the peer, ack callback; no auth or storage), ' +
        'driven with socket.io-client beside the chat server and the bare relay.',
      start: socketIoTarget,
      unavailable: () => null,
      notes: [
        "Socket.IO's ack is its callback acknowledgement, sent after the emit to the peer's room: no durability behind it.",
      ],
    },
    quick,
  );
}

export function peerEjabberdScenario({ quick }: ScenarioOptions): Promise<void> {
  return peerScenario(
    {
      scenario: 'peer-ejabberd',
      description:
        'ejabberd (the Debian package) on 127.0.0.1, Mnesia on tmpfs, SASL ANONYMOUS sessions, no offline storage, archive or roster; ' +
        '1:1 `<message type="chat"/>` stanzas through @xmpp/client (TCP, no TLS, Nagle off), beside the chat server and the bare relay.',
      start: ejabberdTarget,
      unavailable: () => (ejabberdInstalled() ? null : 'ejabberd is not installed (`apt-get install ejabberd`)'),
      notes: [
        'XMPP has no per-message server acknowledgement (XEP-0198 acks batches): ejabberd rows have no ack latency, and a flat-out sender keeps 10 messages undelivered rather than unacknowledged.',
        'The XML parsing of every stanza in the driver (ltx) costs more than JSON: watch "driver CPU %" on the ejabberd rows.',
      ],
    },
    quick,
  );
}
