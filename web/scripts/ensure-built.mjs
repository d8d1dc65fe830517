#!/usr/bin/env node
// Builds the web client (Vite, into web/dist) when the build is missing or older
// than a file it is made from: anything under web/ (but its tests and e2e suite),
// sdk/ (but tests) or src/protocol/. Used by `npm start` and the browser tests;
// run directly: `node web/scripts/ensure-built.mjs [--force]`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = ['web', 'sdk', 'src/protocol'];
const SKIP_DIRS = new Set(['dist', 'node_modules', 'e2e']);

function newestMtime(path) {
  const stat = statSync(path);
  if (stat.isFile()) return /\.test\.tsx?$/.test(path) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) {
    if (SKIP_DIRS.has(name)) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** True when web/dist/index.html is missing or older than a source file. */
export function webBuildIsStale() {
  const index = join(repo, 'web/dist/index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((dir) => existsSync(join(repo, dir)) && newestMtime(join(repo, dir)) > built);
}

/** Builds when stale (or forced); false when nothing was built. Throws when the build fails. */
export async function ensureWebBuilt({ force = false, log = (line) => console.log(line) } = {}) {
  if (!force && !webBuildIsStale()) return false;
  let vite;
  try {
    vite = await import('vite');
  } catch {
    log('vite is not installed (npm install): the web client is not built, only the API is served');
    return false;
  }
  log('building the web client (vite) into web/dist …');
  const started = Date.now();
  await vite.build({ configFile: join(repo, 'web/vite.config.ts'), logLevel: 'warn' });
  log(`web client built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await ensureWebBuilt({ force: process.argv.includes('--force') });
}
