/**
 * The capacity planner: the system design's back-of-the-envelope formulas
 * (docs/PROTOCOL.md, "Capacity planner"), plus how many gateway nodes and how
 * much database write capacity this product needs, from its own measured
 * benchmark figures. Pure: no I/O, shared by the CLI and the web client.
 *
 *   msgs/day   = DAU × msgs per user          msgs/s = msgs/day / 86 400 (× peak factor at peak)
 *   text/day   = msgs/day × avg size          media msgs/day = msgs/day × media share
 *   media/day  = media msgs/day × avg media   total/day = text + media
 *   per year   = total/day × 365              retention = per year × years
 *   connections = DAU × concurrent share
 */

export interface CapacityInput {
  totalUsers: number;
  dailyActiveUsers: number;
  messagesPerUserPerDay: number;
  avgMessageBytes: number;
  /** Share of messages carrying media, 0..1. */
  mediaShare: number;
  avgMediaBytes: number;
  retentionYears: number;
  /** Share of DAU connected at once, 0..1. */
  concurrentShare: number;
  /** Peak rate over the daily average. */
  peakFactor: number;
}

/** What one node and one database sustain, as measured by this product's benchmarks. */
export interface BenchFigures {
  /** Messages per second one gateway node delivers flat out. */
  nodeMessagesPerSecond: number;
  /** Open WebSockets one node holds. */
  nodeConnections: number;
  /** Durable message writes per second one database sustains. */
  dbWritesPerSecond: number;
  /** Where each figure came from (a bench/results file and row, or "default"). */
  sources: { nodeMessagesPerSecond: string; nodeConnections: string; dbWritesPerSecond: string };
}

export interface CapacityResult {
  messagesPerSecond: number;
  peakMessagesPerSecond: number;
  messagesPerDay: number;
  textBytesPerDay: number;
  mediaMessagesPerDay: number;
  mediaBytesPerDay: number;
  totalBytesPerDay: number;
  totalBytesPerYear: number;
  totalBytesRetention: number;
  concurrentConnections: number;
  gateway: {
    /** Nodes for the peak message rate, for the connections, and the larger of the two. */
    nodesForThroughput: number;
    nodesForConnections: number;
    nodes: number;
  };
  database: {
    /** Durable writes per second at peak (one per message). */
    peakWritesPerSecond: number;
    /** Databases (write primaries, i.e. shards) at the measured rate each. */
    databases: number;
  };
}

export const DEFAULTS = {
  mediaShare: 0.2,
  avgMediaBytes: 500_000,
  concurrentShare: 0.7,
  peakFactor: 3,
} as const;

export type PresetName = 'whatsapp' | 'startup' | 'intranet';

export const PRESETS: Record<PresetName, { label: string; input: CapacityInput }> = {
  whatsapp: {
    label: 'WhatsApp scale',
    input: {
      totalUsers: 2_000_000_000,
      dailyActiveUsers: 500_000_000,
      messagesPerUserPerDay: 40,
      avgMessageBytes: 100,
      retentionYears: 5,
      ...DEFAULTS,
    },
  },
  startup: {
    label: 'Startup (100K DAU)',
    input: {
      totalUsers: 400_000,
      dailyActiveUsers: 100_000,
      messagesPerUserPerDay: 30,
      avgMessageBytes: 100,
      retentionYears: 2,
      ...DEFAULTS,
    },
  },
  intranet: {
    label: 'Company intranet (5K users)',
    input: {
      totalUsers: 5_000,
      dailyActiveUsers: 4_000,
      messagesPerUserPerDay: 60,
      avgMessageBytes: 150,
      retentionYears: 7,
      ...DEFAULTS,
      mediaShare: 0.1,
    },
  },
};

/** Used when bench/results has no figure (see docs/PROTOCOL.md, "Capacity planner"). */
export const DEFAULT_FIGURES: BenchFigures = {
  nodeMessagesPerSecond: 2_000,
  nodeConnections: 50_000,
  dbWritesPerSecond: 3_000,
  sources: { nodeMessagesPerSecond: 'default', nodeConnections: 'default', dbWritesPerSecond: 'default' },
};

const SECONDS_PER_DAY = 86_400;
const DAYS_PER_YEAR = 365;

export function plan(input: CapacityInput, figures: BenchFigures = DEFAULT_FIGURES): CapacityResult {
  const messagesPerDay = input.dailyActiveUsers * input.messagesPerUserPerDay;
  const messagesPerSecond = messagesPerDay / SECONDS_PER_DAY;
  const peakMessagesPerSecond = messagesPerSecond * input.peakFactor;
  const textBytesPerDay = messagesPerDay * input.avgMessageBytes;
  const mediaMessagesPerDay = messagesPerDay * input.mediaShare;
  const mediaBytesPerDay = mediaMessagesPerDay * input.avgMediaBytes;
  const totalBytesPerDay = textBytesPerDay + mediaBytesPerDay;
  const totalBytesPerYear = totalBytesPerDay * DAYS_PER_YEAR;
  const concurrentConnections = input.dailyActiveUsers * input.concurrentShare;
  const nodesForThroughput = atLeastOne(peakMessagesPerSecond / figures.nodeMessagesPerSecond);
  const nodesForConnections = atLeastOne(concurrentConnections / figures.nodeConnections);
  return {
    messagesPerSecond,
    peakMessagesPerSecond,
    messagesPerDay,
    textBytesPerDay,
    mediaMessagesPerDay,
    mediaBytesPerDay,
    totalBytesPerDay,
    totalBytesPerYear,
    totalBytesRetention: totalBytesPerYear * input.retentionYears,
    concurrentConnections,
    gateway: {
      nodesForThroughput,
      nodesForConnections,
      nodes: Math.max(nodesForThroughput, nodesForConnections),
    },
    database: {
      peakWritesPerSecond: peakMessagesPerSecond,
      databases: atLeastOne(peakMessagesPerSecond / figures.dbWritesPerSecond),
    },
  };
}

function atLeastOne(value: number): number {
  return Math.max(1, Math.ceil(value - 1e-9));
}

/** Checks an input; returns the first problem, or null. */
export function validateInput(input: CapacityInput): string | null {
  for (const [key, value] of Object.entries(input)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `${key} must be a number ≥ 0`;
  }
  if (input.dailyActiveUsers > input.totalUsers) return 'dailyActiveUsers cannot exceed totalUsers';
  if (input.mediaShare > 1 || input.concurrentShare > 1) return 'shares are between 0 and 1';
  if (input.peakFactor < 1) return 'peakFactor must be at least 1';
  return null;
}

/** 231.5K, 20.0B, 350.0M: one decimal, decimal units as the system design writes them. */
export function formatCount(value: number): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, unit] of units) if (Math.abs(value) >= size) return `${round1(value / size)}${unit}`;
  return Number.isInteger(value) ? String(value) : round1(value);
}

/** 2.0 TB, 730.7 PB: decimal units, no larger than PB (so 5 years of WhatsApp reads 3653.7 PB). */
export function formatBytes(value: number): string {
  const units: [number, string][] = [
    [1e15, 'PB'],
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
  ];
  for (const [size, unit] of units) if (Math.abs(value) >= size) return `${round1(value / size)} ${unit}`;
  return `${Math.round(value)} B`;
}

/** One decimal, rounding half away from zero on the decimal value (3653.65 → 3653.7). */
function round1(value: number): string {
  // Through a string, so binary floating point (3653.6499…) does not round the wrong way.
  const rounded = Math.round(Number(`${value.toPrecision(12)}e1`)) / 10;
  return rounded.toFixed(1);
}

export interface ReportLine {
  label: string;
  value: string;
}

/** The outputs as labelled lines, in the order the system design lists them. */
export function report(input: CapacityInput, result: CapacityResult, figures: BenchFigures): ReportLine[] {
  return [
    { label: 'Messages/sec (average)', value: `${formatCount(result.messagesPerSecond)}/s` },
    { label: `Messages/sec (peak, ×${input.peakFactor})`, value: `${formatCount(result.peakMessagesPerSecond)}/s` },
    { label: 'Messages/day', value: formatCount(result.messagesPerDay) },
    { label: 'Text storage/day', value: formatBytes(result.textBytesPerDay) },
    { label: 'Media messages/day', value: formatCount(result.mediaMessagesPerDay) },
    { label: 'Media storage/day', value: formatBytes(result.mediaBytesPerDay) },
    { label: 'Total storage/day', value: formatBytes(result.totalBytesPerDay) },
    { label: 'Total storage/year', value: formatBytes(result.totalBytesPerYear) },
    { label: `Total storage (${input.retentionYears} yr)`, value: formatBytes(result.totalBytesRetention) },
    { label: 'Concurrent connections', value: formatCount(result.concurrentConnections) },
    {
      label: 'Gateway nodes',
      value: `${result.gateway.nodes.toLocaleString('en-US')} (throughput ${result.gateway.nodesForThroughput.toLocaleString('en-US')} at ${formatCount(figures.nodeMessagesPerSecond)} msg/s each; connections ${result.gateway.nodesForConnections.toLocaleString('en-US')} at ${formatCount(figures.nodeConnections)} each)`,
    },
    {
      label: 'Database writes/sec (peak)',
      value: `${formatCount(result.database.peakWritesPerSecond)}/s → ${result.database.databases.toLocaleString('en-US')} write primaries at ${formatCount(figures.dbWritesPerSecond)}/s each`,
    },
  ];
}
