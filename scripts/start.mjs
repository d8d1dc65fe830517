#!/usr/bin/env node
// `npm start`: compiles the server when the build is missing or older than the
// sources (tsc's incremental build skips unchanged files), builds the web client
// when web/dist is missing or stale, then runs the server in this process so
// signals reach it directly.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ensureWebBuilt } from '../web/scripts/ensure-built.mjs';
import { copyAssets } from './copy-assets.mjs';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
copyAssets();
try {
  await ensureWebBuilt();
} catch (error) {
  console.error(
    'the web client failed to build; serving the API only:',
    error instanceof Error ? error.message : error,
  );
}
await import('../dist/node/main.js');
