/**
 * What holds the memory: a V8 heap snapshot (.heapsnapshot JSON) summed by
 * class — objects and closures by constructor or function name, everything
 * else by node type — and the difference between two snapshots, divided by
 * the connections opened in between: the heap one connection costs, by class.
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export type HeapClasses = Map<string, { count: number; bytes: number }>;

export function summarizeHeapSnapshot(file: string): HeapClasses {
  const data = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshotFile;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const stride = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const classes: HeapClasses = new Map();
  for (let i = 0; i < data.nodes.length; i += stride) {
    const type = types[data.nodes[i + typeAt] ?? 0] ?? '?';
    const name = data.strings[data.nodes[i + nameAt] ?? 0] ?? '?';
    const key = type === 'object' ? name : type === 'closure' ? `${name}() (closure)` : `(${type})`;
    const entry = classes.get(key) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += data.nodes[i + sizeAt] ?? 0;
    classes.set(key, entry);
  }
  return classes;
}

export interface PerConnectionClass {
  name: string;
  /** Objects of this class per connection (after − before) / connections. */
  perConnection: number;
  bytesPerConnection: number;
}

/** The classes that grew most between two snapshots, per connection opened in between. */
export function heapGrowthPerConnection(
  before: HeapClasses,
  after: HeapClasses,
  connections: number,
  top = 15,
): PerConnectionClass[] {
  const rows: PerConnectionClass[] = [];
  for (const [name, grown] of after) {
    const base = before.get(name) ?? { count: 0, bytes: 0 };
    const bytes = grown.bytes - base.bytes;
    if (bytes <= 0) continue;
    rows.push({
      name,
      perConnection: Math.round(((grown.count - base.count) / connections) * 100) / 100,
      bytesPerConnection: Math.round(bytes / connections),
    });
  }
  return rows.sort((a, b) => b.bytesPerConnection - a.bytesPerConnection).slice(0, top);
}
