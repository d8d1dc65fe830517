/** `npm run bench` runs every scenario; `npm run bench -- NAME [--quick]` runs one. */
import { clusterScenario } from './scenarios/cluster.js';
import { directScenario } from './scenarios/direct.js';
import { fanoutScenario } from './scenarios/fanout.js';
import { groupScenario } from './scenarios/group.js';
import { historyScenario } from './scenarios/history.js';
import { idleScenario } from './scenarios/idle.js';
import { peerEjabberdScenario, peerSocketIoScenario } from './scenarios/peers.js';
import { reconnectStormScenario } from './scenarios/reconnect-storm.js';
import { relayBaselineScenario } from './scenarios/relay-baseline.js';
import { storeScenario } from './scenarios/store.js';

export interface ScenarioOptions {
  /** A short run for smoke tests. */
  quick: boolean;
}

const SCENARIOS: Record<string, (options: ScenarioOptions) => Promise<void>> = {
  store: storeScenario,
  'relay-baseline': relayBaselineScenario,
  direct: directScenario,
  group: groupScenario,
  'peer-socketio': peerSocketIoScenario,
  'peer-ejabberd': peerEjabberdScenario,
  cluster: clusterScenario,
  idle: idleScenario,
  history: historyScenario,
  'reconnect-storm': reconnectStormScenario,
  fanout: fanoutScenario,
};

/** Old names still accepted (not run twice by a bare `npm run bench`). */
const ALIASES: Record<string, string> = { realtime: 'direct' };

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--')).map((n) => ALIASES[n] ?? n);
const unknown = names.filter((n) => !(n in SCENARIOS));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
for (const name of names.length ? names : Object.keys(SCENARIOS)) {
  console.log(`== ${name}`);
  await SCENARIOS[name]?.({ quick });
}
