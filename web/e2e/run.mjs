#!/usr/bin/env node
// Browser tests: builds the web client if stale, then runs each web/e2e/*.e2e.ts
// with node's test runner (Playwright driving Debian's Chromium). Pass file names
// to run a subset. Screenshots go to test-results/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuilt } from '../scripts/ensure-built.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`browser tests need Chromium at ${chromium} (apt-get install -y chromium)`);
  process.exit(1);
}
await ensureWebBuilt();

const requested = process.argv.slice(2);
const files = (
  requested.length
    ? requested
    : readdirSync(here)
        .filter((f) => f.endsWith('.e2e.ts'))
        .sort()
).map((f) => (f.includes('/') ? f : join(here, f)));
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
