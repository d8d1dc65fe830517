/**
 * Summaries of a V8 .cpuprofile: self time per function and per area (package,
 * server file, GC), and inclusive time per server function. V8 samples the
 * thread on wall-clock time, so a native call that blocks (better-sqlite3's
 * COMMIT waiting for fsync, a socket write) counts for as long as it blocks.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface TimeShare {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) time, %. */
  percent: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  /** Self time per function; native functions are named with their nearest JavaScript caller. */
  functions: TimeShare[];
  /** Self time per area; native functions count for their caller's area. */
  areas: TimeShare[];
  /** Time in the server's own functions (dist/) and everything they call. */
  inclusive: TimeShare[];
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

function label(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'}${frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`;
}

function areaOfUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
    return name === 'better-sqlite3' ? 'better-sqlite3 (SQLite statements, BEGIN/COMMIT incl. fsync)' : name;
  }
  if (url.startsWith('node:')) {
    const path = url.slice(5);
    if (path.includes('stream_base_commons') || path === 'net') return 'node: socket writes (writev)';
    const [first, second] = path.split('/');
    return `node:${first === 'internal' && second ? `internal/${second}` : first}`;
  }
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return `server ${url.slice(dist + 1).replace(/\.js$/, '')}`;
  return shortUrl(url);
}

function top(map: Map<string, number>, busyMs: number, limit: number): TimeShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: Math.round((ms / busyMs) * 1000) / 10 }));
}

export function summarizeProfile(profile: CpuProfile, limit = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const jsCaller = (node: ProfileNode): ProfileNode | undefined => {
    let caller = parents.get(node.id);
    while (caller && !caller.callFrame.url) caller = parents.get(caller.id);
    return caller;
  };
  const isSpecial = (frame: CallFrame) => frame.functionName.startsWith('(');

  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idleMs = 0;
  let totalMs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] ?? -1);
    // timeDeltas[i] is the time before sample i; the interval after it belongs to it.
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    if (!node) continue;
    totalMs += ms;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const caller = frame.url || isSpecial(frame) ? undefined : jsCaller(node);
    const name = caller ? `${label(frame)} ← ${label(caller.callFrame)}` : label(frame);
    functions.set(name, (functions.get(name) ?? 0) + ms);
    let area: string;
    if (frame.functionName === '(garbage collector)') area = 'garbage collector';
    else if (isSpecial(frame)) area = `${frame.functionName} (V8/native)`;
    else if (frame.url) area = areaOfUrl(frame.url);
    else area = caller ? areaOfUrl(caller.callFrame.url) : 'V8 builtins';
    areas.set(area, (areas.get(area) ?? 0) + ms);
    // Inclusive: each server function on the stack, once per sample.
    const seen = new Set<string>();
    for (let at: ProfileNode | undefined = node; at; at = parents.get(at.id)) {
      if (!at.callFrame.url.includes('/dist/')) continue;
      const fn = label(at.callFrame);
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + ms);
    }
  }
  const busyMs = totalMs - idleMs;
  return {
    wallMs: Math.round((profile.endTime - profile.startTime) / 1000),
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    functions: top(functions, busyMs, limit),
    areas: top(areas, busyMs, limit),
    inclusive: top(inclusive, busyMs, limit),
  };
}
