/** Dashboard samples as chart columns and table rows (pure, unit-tested). */
import type { NodeSample } from '../../../src/protocol/admin.js';

/** uPlot's data: x (seconds since the epoch) then one column per series; null leaves a gap. */
export type Columns = [number[], ...(number | null)[][]];

export const MAX_POINTS = 300;

/** Appends a sample, dropping ones older than MAX_POINTS and any not newer than the last. */
export function appendSample(history: readonly NodeSample[], sample: NodeSample): NodeSample[] {
  const last = history.at(-1);
  if (last && Date.parse(last.at) >= Date.parse(sample.at)) return [...history];
  const next = [...history, sample];
  return next.length > MAX_POINTS ? next.slice(next.length - MAX_POINTS) : next;
}

export function columns(history: readonly NodeSample[], pick: ((s: NodeSample) => number | null)[]): Columns {
  const x = history.map((s) => Date.parse(s.at) / 1000);
  return [x, ...pick.map((fn) => history.map(fn))];
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** "3 min ago"-style age of an ISO time, for the node list. */
export function uptime(startedAt: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d`;
}
