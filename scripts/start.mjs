#!/usr/bin/env node
// `npm start`: compiles the server when the build is missing or older than the
// sources (tsc's incremental build skips unchanged files), then runs it in this
// process so signals reach it directly.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
await import('../dist/node/main.js');
