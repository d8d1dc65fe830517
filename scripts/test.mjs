#!/usr/bin/env node
// Runs every test file with node's test runner, then the web client's suites
// (Vitest, then the browser tests). Node 20's --test does not expand globs, so
// the files are listed here; pass paths or folders to run a subset (`web` for
// the web client's suites).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SKIP = new Set(['node_modules', 'dist', 'data', '.git', '.tmp']);

function collect(path, out) {
  if (statSync(path).isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const name of readdirSync(path).sort()) {
    if (!SKIP.has(name)) collect(join(path, name), out);
  }
  return out;
}

// `web` names the web client's suites (Vitest unit tests, then browser tests), run after node's.
const args = process.argv.slice(2);
const web = args.length === 0 || args.includes('web');
const roots = args.filter((arg) => arg !== 'web');
const files = (args.length ? roots : ['src', 'sdk', 'bench']).flatMap((root) => {
  try {
    return collect(root, []);
  } catch {
    return [];
  }
});
if (files.length === 0 && !web) {
  console.error('no test files found');
  process.exit(1);
}
// The benchmark smoke tests and the chaos run start servers and drive them flat out, and the
// chaos run times each node's recovery: beside each other and the rest they starve one another
// on a small machine. They run after the others, one file at a time.
const heavy = files.filter((file) => file.startsWith('bench'));
const light = files.filter((file) => !heavy.includes(file));
const failed = [];
for (const [group, concurrency] of [
  [light, 4],
  [heavy, 1],
]) {
  if (group.length === 0) continue;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=120000', ...group],
    { stdio: 'inherit' },
  );
  if (result.status !== 0 && !failed.includes('node test runner')) failed.push('node test runner');
}
if (web) {
  const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
  console.log('\n== web client: unit tests (vitest)');
  const unit = spawnSync(process.execPath, [vitest, 'run', '--config', 'web/vite.config.ts'], { stdio: 'inherit' });
  if (unit.status !== 0) failed.push('web unit tests (vitest)');
  console.log('\n== web client: browser tests (playwright + chromium)');
  const browser = spawnSync(process.execPath, ['web/e2e/run.mjs'], { stdio: 'inherit' });
  if (browser.status !== 0) failed.push('browser tests (web/e2e)');
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
