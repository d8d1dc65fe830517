/**
 * What the admin dashboard reads: `GET /api/v1/admin/overview` and the
 * `admin:stats` WebSocket frame (after `admin:subscribe`). Admins only.
 */

/** One node's figures over the last sampling interval. */
export interface NodeSample {
  /** ISO time the sample was taken. */
  at: string;
  /** Open WebSocket connections. */
  connections: number;
  /** Messages accepted (stored) per second. */
  messagesPerSecond: number;
  /** message:new frames written per second, live and replayed. */
  deliveriesPerSecond: number;
  /** Stored-to-delivered latency of live deliveries in the interval (ms); null when none. */
  deliveryP50Ms: number | null;
  deliveryP99Ms: number | null;
  /** Event-loop delay over the last second (ms). */
  eventLoopP99Ms: number;
  heapUsedBytes: number;
  rssBytes: number;
}

export interface NodeStatus {
  id: string;
  /** http://host:port; null when the node runs alone (embedded). */
  address: string | null;
  startedAt: string;
  /** ok: its stats are fresh; stale: it is registered but has not published for 3 intervals. */
  health: 'ok' | 'stale';
  sample: NodeSample | null;
}

export interface OutboxEntry {
  userId: string;
  username: string;
  undelivered: number;
}

export interface AdminStats {
  /** The whole deployment: sums of rates and connections, the worst latency and lag of any node. */
  sample: NodeSample;
  nodes: NodeStatus[];
  /** The users with the most undelivered messages (refreshed every outbox scan). */
  outboxes: OutboxEntry[];
}

/** The overview adds the deployment's recent history (oldest first) for charts. */
export interface AdminOverview extends AdminStats {
  history: NodeSample[];
  intervalMs: number;
}
