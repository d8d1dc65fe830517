/**
 * `relay-baseline`: the bare `ws` relay alone (bench/relay/relay.ts: no auth,
 * no storage, no JSON parsing), the physical limit of Node + ws on this
 * machine with this driver. Delivered msg/s flat out and latency percentiles
 * at fixed rates, same pairs and timing as `direct`. Every other scenario
 * measures the relay again in its own run and reports its ratio to it.
 *
 * Options: `--quick` (25 pairs, 1,000 msg/s and flat out, 2 s runs), `--pairs=N`,
 * `--duration=SECONDS`, `--rounds=N`.
 */
import {
  compare,
  comparisonRows,
  deliveryNote,
  latencyChart,
  relayBaseline,
  runsForJson,
  throughputChart,
} from '../lib/compare.js';
import { numberOption } from '../lib/options.js';
import { describeMachine, writeReport } from '../lib/report.js';
import { CONTENT, relayTarget } from '../lib/targets.js';
import type { ScenarioOptions } from '../run.js';
import { FLAT_OUT, rateLoad, wsTiming } from './direct.js';

export async function relayBaselineScenario({ quick }: ScenarioOptions): Promise<void> {
  const pairs = Math.round(numberOption('pairs', quick ? 25 : 100));
  const { rounds, bucketMs, ...timing } = wsTiming(quick);
  const loads = quick ? [rateLoad(1000), FLAT_OUT] : [rateLoad(1000), rateLoad(5000), rateLoad(10000), FLAT_OUT];
  const relay = await relayTarget(pairs);
  try {
    const cmp = await compare({ targets: [relay], loads, rounds, timing, bucketMs });
    const machine = describeMachine();
    writeReport({
      scenario: 'relay-baseline',
      description:
        'The bare `ws` relay alone: each client frame forwarded as-is to the peer and answered with a constant ack; ' +
        'no auth, storage, validation or ordering. The physical limit of Node + ws with this driver on this machine.',
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
      baseline: relayBaseline(cmp, relay, FLAT_OUT, pairs),
      rows: comparisonRows(cmp),
      charts: [
        ...loads.filter((l) => l.load.kind === 'rate').map((l) => latencyChart(cmp, l)),
        throughputChart(cmp, FLAT_OUT),
      ],
      notes: [
        deliveryNote(cmp, timing.drainTimeoutMs / 1000),
        `Same driver, pairs, loads and timing as \`direct\` (${rounds} round(s), medians). The relay does no work per message beyond ws framing, ` +
          'so its flat-out row is usually bounded by the load driver sharing the cores: "driver CPU %" near 100 means the figure is the driver\'s limit, a floor for the relay\'s.',
        `Machine: ${machine.cpus} cores shared by the driver, the relay and (at the time of the run) other work.`,
      ],
      runs: runsForJson(cmp),
    });
  } finally {
    await relay.stop();
  }
}
