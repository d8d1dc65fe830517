/** The live dashboard: charts fed by admin:stats frames, the node list and the largest outboxes. */
import { useEffect, useMemo, useState } from 'react';
import type { AdminStats, NodeSample } from '../../../src/protocol/admin.js';
import { apiBase } from '../session/auth.js';
import { LineChart, type LineSeries } from './LineChart.js';
import { appendSample, columns, formatBytes, formatMs, uptime } from './series.js';
import { openStatsSocket } from './stats-socket.js';

const RATE: LineSeries[] = [
  { label: 'accepted', color: '#00a884' },
  { label: 'delivered', color: '#53bdeb' },
];
const CONNECTIONS: LineSeries[] = [{ label: 'connections', color: '#8e6cd8' }];
const LATENCY: LineSeries[] = [
  { label: 'p50', color: '#00a884' },
  { label: 'p99', color: '#d92d20' },
];
const LAG: LineSeries[] = [{ label: 'p99 lag', color: '#e5a50a' }];

type Status = 'connecting' | 'live' | 'forbidden' | 'offline';

export function Dashboard({ token }: { token: string }) {
  const [history, setHistory] = useState<NodeSample[]>([]);
  const [latest, setLatest] = useState<AdminStats | null>(null);
  const [status, setStatus] = useState<Status>('connecting');

  useEffect(
    () =>
      openStatsSocket(apiBase(), token, {
        subscribed: (overview) => {
          setHistory(overview.history);
          setLatest(overview);
        },
        stats: (stats) => {
          setHistory((previous) => appendSample(previous, stats.sample));
          setLatest(stats);
        },
        status: setStatus,
      }),
    [token],
  );

  const data = useMemo(
    () => ({
      rate: columns(history, [(s) => s.messagesPerSecond, (s) => s.deliveriesPerSecond]),
      connections: columns(history, [(s) => s.connections]),
      latency: columns(history, [(s) => s.deliveryP50Ms, (s) => s.deliveryP99Ms]),
      lag: columns(history, [(s) => s.eventLoopP99Ms]),
    }),
    [history],
  );

  if (status === 'forbidden') return <p className="admin-empty">The live feed is for admins only.</p>;
  const sample = latest?.sample;
  return (
    <div className="admin-dashboard">
      <p className="admin-status" data-status={status} aria-live="polite">
        {status === 'live' ? 'Live' : status === 'offline' ? 'Reconnecting…' : 'Connecting…'}
        {sample && (
          <span>
            {' '}
            · {sample.connections} connections · {sample.messagesPerSecond} msg/s · delivery p99{' '}
            {formatMs(sample.deliveryP99Ms)}
          </span>
        )}
      </p>
      <div className="admin-charts">
        <LineChart title="Messages per second" unit="msg/s" series={RATE} data={data.rate} />
        <LineChart title="Connections" unit="open" series={CONNECTIONS} data={data.connections} />
        <LineChart title="Delivery latency" unit="ms" series={LATENCY} data={data.latency} />
        <LineChart title="Event-loop lag" unit="ms" series={LAG} data={data.lag} />
      </div>
      <div className="admin-tables">
        <section aria-labelledby="admin-nodes">
          <h2 id="admin-nodes">Nodes</h2>
          <table className="admin-table">
            <thead>
              <tr>
                <th>node</th>
                <th>health</th>
                <th>connections</th>
                <th>msg/s</th>
                <th>delivery p99</th>
                <th>lag p99</th>
                <th>RSS</th>
                <th>up</th>
              </tr>
            </thead>
            <tbody>
              {(latest?.nodes ?? []).map((node) => (
                <tr key={node.id}>
                  <td title={node.address ?? 'embedded'}>{node.id}</td>
                  <td>
                    <span className={`admin-health admin-health-${node.health}`}>{node.health}</span>
                  </td>
                  <td>{node.sample?.connections ?? '–'}</td>
                  <td>{node.sample?.messagesPerSecond ?? '–'}</td>
                  <td>{formatMs(node.sample?.deliveryP99Ms ?? null)}</td>
                  <td>{formatMs(node.sample?.eventLoopP99Ms ?? null)}</td>
                  <td>{node.sample ? formatBytes(node.sample.rssBytes) : '–'}</td>
                  <td>{uptime(node.startedAt, Date.now())}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="admin-outboxes">
          <h2 id="admin-outboxes">Largest outboxes</h2>
          {latest && latest.outboxes.length > 0 ? (
            <table className="admin-table">
              <thead>
                <tr>
                  <th>user</th>
                  <th>undelivered</th>
                </tr>
              </thead>
              <tbody>
                {latest.outboxes.map((entry) => (
                  <tr key={entry.userId}>
                    <td>{entry.username}</td>
                    <td>{entry.undelivered}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="admin-empty">Every outbox is empty.</p>
          )}
        </section>
      </div>
    </div>
  );
}
