/** `npm run bench` runs every scenario; `npm run bench -- NAME [--quick]` runs one. */
import { clusterScenario } from './scenarios/cluster.js';
import { realtimeScenario } from './scenarios/realtime.js';
import { storeScenario } from './scenarios/store.js';

export interface ScenarioOptions {
  /** A short run for smoke tests. */
  quick: boolean;
}

const SCENARIOS: Record<string, (options: ScenarioOptions) => Promise<void>> = {
  store: storeScenario,
  realtime: realtimeScenario,
  cluster: clusterScenario,
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in SCENARIOS));
if (unknown.length) {
  console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
for (const name of names.length ? names : Object.keys(SCENARIOS)) {
  console.log(`== ${name}`);
  await SCENARIOS[name]?.({ quick });
}
