/**
 * The presence Lua scripts (lua/*.lua, each loaded with lib.lua before it),
 * registered once per connection with defineCommand: ioredis sends EVALSHA and
 * falls back to EVAL when Redis lost them (a restart).
 *
 * The files are read next to this module: src/presence/lua under tsx, and
 * dist/presence/lua after the build copies them (scripts/copy-assets.mjs).
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const NAMES = ['upsert', 'remove', 'renew', 'sweep', 'route'] as const;
export type ScriptName = (typeof NAMES)[number];

type Arg = string | number;
export type PresenceScripts = Record<ScriptName, (...args: Arg[]) => Promise<unknown>>;

let sources: Record<ScriptName, string> | undefined;

function read(name: string): string {
  const url = new URL(`./lua/${name}.lua`, import.meta.url);
  try {
    return readFileSync(url, 'utf8');
  } catch (error) {
    throw new Error(`presence script ${url.pathname} is missing (run the build, which copies lua/): ${error}`);
  }
}

function load(): Record<ScriptName, string> {
  if (!sources) {
    const lib = read('lib');
    sources = Object.fromEntries(NAMES.map((name) => [name, `${lib}\n${read(name)}`])) as Record<ScriptName, string>;
  }
  return sources;
}

/** Registers the scripts on the connection (once per connection) and returns callers. */
export function presenceScripts(redis: Redis): PresenceScripts {
  const lua = load();
  const commands = redis as unknown as Record<string, (...args: Arg[]) => Promise<unknown>>;
  const calls = {} as PresenceScripts;
  for (const name of NAMES) {
    const command = `chatPresence_${name}`;
    if (typeof commands[command] !== 'function') {
      redis.defineCommand(command, { lua: lua[name], numberOfKeys: 0, readOnly: name === 'route' });
    }
    calls[name] = (...args) => (commands[command] as (...a: Arg[]) => Promise<unknown>).call(redis, ...args);
  }
  return calls;
}
