/**
 * Reads this product's measured figures from the benchmark reports in
 * bench/results/ (written by `npm run bench`): what one node delivers flat out
 * (direct.json, the chat server's flat-out row; realtime.json, its name before,
 * when direct.json has none) and what the store commits
 * durably (store.json, the group-commit row). A missing file or row keeps the
 * documented default for that figure.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchFigures, DEFAULT_FIGURES } from './planner.js';

/** bench/results of this checkout, from src/capacity or dist/capacity alike. */
export const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

type Row = Record<string, unknown>;

async function rows(dir: string, file: string): Promise<Row[]> {
  try {
    const report = JSON.parse(await readFile(join(dir, file), 'utf8')) as { rows?: unknown };
    return Array.isArray(report.rows) ? (report.rows as Row[]) : [];
  } catch {
    return [];
  }
}

function positive(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

export async function loadBenchFigures(dir = RESULTS_DIR): Promise<BenchFigures> {
  const figures: BenchFigures = { ...DEFAULT_FIGURES, sources: { ...DEFAULT_FIGURES.sources } };

  for (const file of ['direct.json', 'realtime.json']) {
    const flatOut = (await rows(dir, file)).find(
      (row) => row.target === 'chat server' && String(row.load).startsWith('flat-out'),
    );
    const nodeRate = positive(flatOut?.['delivered msg/s']);
    if (nodeRate === null) continue;
    figures.nodeMessagesPerSecond = nodeRate;
    figures.sources.nodeMessagesPerSecond = `${file}: chat server, ${String(flatOut?.load)}`;
    break;
  }

  const store = (await rows(dir, 'store.json')).find((row) => String(row.configuration).includes('group commit'));
  const writeRate = positive(store?.['messages/s (median)']);
  if (writeRate !== null) {
    figures.dbWritesPerSecond = writeRate;
    figures.sources.dbWritesPerSecond = `store.json: ${String(store?.configuration)}`;
  }
  return figures;
}
