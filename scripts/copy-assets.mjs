#!/usr/bin/env node
// Copies what the server reads at run time but tsc does not emit (the Redis Lua
// scripts, src/**/lua/*.lua) into dist/, keeping their place in the tree.
// Run by `npm run build` and `npm start` after tsc.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function copyLua(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) copyLua(path);
    else if (entry.name.endsWith('.lua')) {
      const target = join(root, 'dist', relative(join(root, 'src'), path));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
    }
  }
}

export function copyAssets() {
  copyLua(join(root, 'src'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) copyAssets();
