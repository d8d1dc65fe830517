/** `chat capacity`: the planner on the command line. */
import { parseArgs } from 'node:util';
import { loadBenchFigures } from '../capacity/bench-figures.js';
import { type CapacityInput, PRESETS, type PresetName, plan, report, validateInput } from '../capacity/planner.js';
import { CliError, type Output } from './output.js';

const NUMBER_OPTIONS = {
  users: 'totalUsers',
  dau: 'dailyActiveUsers',
  messages: 'messagesPerUserPerDay',
  size: 'avgMessageBytes',
  'media-share': 'mediaShare',
  'media-size': 'avgMediaBytes',
  retention: 'retentionYears',
  concurrent: 'concurrentShare',
  peak: 'peakFactor',
} as const satisfies Record<string, keyof CapacityInput>;

export const CAPACITY_HELP = `chat capacity [--preset whatsapp|startup|intranet] [options] [--json]

  --users N          total users              --dau N            daily active users
  --messages N       messages per user a day  --size BYTES       average message size
  --media-share F    share with media (0.2)   --media-size BYTES average media size (500000)
  --retention YEARS  how long to keep it      --concurrent F     share of DAU connected (0.7)
  --peak F           peak over average (3)    --results DIR      benchmark reports (bench/results)

Numbers accept 500M, 2B, 100K. Gateway nodes and database write primaries come from the
measured figures in bench/results/*.json (documented defaults when absent).`;

export function parseQuantity(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMBT]?)$/i.exec(text.trim().replaceAll('_', '').replaceAll(',', ''));
  if (!match) throw new CliError(`--${name}: not a number: ${text}`);
  const scale = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 }[(match[2] ?? '').toUpperCase()] ?? 1;
  return Number(match[1]) * scale;
}

export async function capacityCommand(args: string[], out: Output): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: 'string', default: 'whatsapp' },
      json: { type: 'boolean', default: false },
      results: { type: 'string' },
      ...Object.fromEntries(Object.keys(NUMBER_OPTIONS).map((name) => [name, { type: 'string' as const }])),
    },
    strict: true,
  });
  const presetName = String(values.preset);
  if (!(presetName in PRESETS)) {
    throw new CliError(`unknown preset ${presetName}; known: ${Object.keys(PRESETS).join(', ')}`);
  }
  const preset = PRESETS[presetName as PresetName];
  const input: CapacityInput = { ...preset.input };
  for (const [name, key] of Object.entries(NUMBER_OPTIONS)) {
    const value = (values as Record<string, unknown>)[name];
    if (typeof value === 'string') input[key] = parseQuantity(value, name);
  }
  // A preset's total users follow a smaller DAU given alone, so `--dau` by itself stays valid.
  if (input.dailyActiveUsers > input.totalUsers && typeof (values as Record<string, unknown>).users !== 'string') {
    input.totalUsers = input.dailyActiveUsers;
  }
  const problem = validateInput(input);
  if (problem) throw new CliError(problem);
  const figures = await loadBenchFigures(...(typeof values.results === 'string' ? [values.results] : []));
  const result = plan(input, figures);
  if (values.json) {
    out.line(JSON.stringify({ preset: presetName, input, figures, result }, null, 2));
    return;
  }
  out.line(`${preset.label}${Object.keys(values).some((k) => k in NUMBER_OPTIONS) ? ' (adjusted)' : ''}`);
  out.line(
    `  ${input.totalUsers.toLocaleString('en-US')} users, ${input.dailyActiveUsers.toLocaleString('en-US')} DAU, ` +
      `${input.messagesPerUserPerDay} messages/user/day of ${input.avgMessageBytes} B, ` +
      `${input.mediaShare * 100}% media of ${input.avgMediaBytes.toLocaleString('en-US')} B, ` +
      `${input.retentionYears} yr retention, ${input.concurrentShare * 100}% concurrent, peak ×${input.peakFactor}`,
  );
  const lines = report(input, result, figures);
  const width = Math.max(...lines.map((line) => line.label.length));
  for (const line of lines) out.line(`${line.label.padEnd(width)}  ${line.value}`);
  out.line('');
  out.line('Measured figures:');
  out.line(`  per node ${figures.nodeMessagesPerSecond} msg/s (${figures.sources.nodeMessagesPerSecond})`);
  out.line(`  per node ${figures.nodeConnections} connections (${figures.sources.nodeConnections})`);
  out.line(`  per database ${figures.dbWritesPerSecond} writes/s (${figures.sources.dbWritesPerSecond})`);
}
