#!/usr/bin/env node
// The `chat` command (package.json "bin"). From a checkout it runs the
// TypeScript sources through tsx, so it never runs a stale build; installed
// without dev dependencies, it runs the compiled dist/cli/main.js.
let tsx = null;
try {
  tsx = await import('tsx/esm/api');
} catch {
  // No tsx: a production install, built with `npm run build`.
}
tsx?.register();
const entry = tsx ? new URL('./main.ts', import.meta.url) : new URL('../../dist/cli/main.js', import.meta.url);
const { run } = await import(entry.href);
try {
  const code = await run(process.argv.slice(2));
  // `serve` keeps running (-1): its own signal handlers end the process.
  if (code >= 0) process.exitCode = code;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
