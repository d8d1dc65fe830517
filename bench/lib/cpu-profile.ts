/** Summaries of a V8 .cpuprofile: self time per function and per area (package, server file, GC). */

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

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time, %. */
  percent: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  areas: SelfTime[];
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
}

function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(program)') return '(program: V8/native outside JS)';
    if (functionName === '(idle)') return '(idle)';
    return 'V8 builtins (JSON, strings, …)';
  }
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) {
    const [first, second] = url.slice(5).split('/');
    return `node:${first === 'internal' && second ? `internal/${second}` : first}`;
  }
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return `server ${url.slice(dist + 1).replace(/\.js$/, '')}`;
  return shortUrl(url);
}

function top(map: Map<string, number>, busyMs: number, limit: number): SelfTime[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => ({ name, selfMs: Math.round(ms), percent: Math.round((ms / busyMs) * 1000) / 10 }));
}

/** Self time per function and area; `limit` rows each. Idle time is excluded from the percentages. */
export function summarizeProfile(profile: CpuProfile, limit = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const label = (frame: CallFrame) =>
    `${frame.functionName || '(anonymous)'}${frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`;
  /** Native functions (sqlite's run, writev, JSON…) are named with their nearest JavaScript caller. */
  const nameOf = (node: ProfileNode): string => {
    const frame = node.callFrame;
    if (frame.url || frame.functionName.startsWith('(')) return label(frame);
    let caller = parents.get(node.id);
    while (caller && !caller.callFrame.url) caller = parents.get(caller.id);
    return caller ? `${label(frame)} ← ${label(caller.callFrame)}` : label(frame);
  };
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let idleMs = 0;
  let totalMs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; attribute the interval to the following sample.
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] ?? -1);
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    if (!node) continue;
    totalMs += ms;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const name = nameOf(node);
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const a = area(frame);
    areas.set(a, (areas.get(a) ?? 0) + ms);
  }
  const busyMs = totalMs - idleMs;
  return {
    wallMs: Math.round((profile.endTime - profile.startTime) / 1000),
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    functions: top(functions, busyMs, limit),
    areas: top(areas, busyMs, limit),
  };
}
