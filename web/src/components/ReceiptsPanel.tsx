/** Message info: who read one's message and who got it (GET /messages/{id}/receipts). */
import { useEffect, useState } from 'react';
import type { Receipt } from '../../../sdk/index.js';
import { userName } from '../lib/names.js';
import { formatClock, formatListTime } from '../lib/time.js';
import { useAppState, useSession } from '../session/context.js';
import { Avatar } from './Avatar.js';
import { Icon } from './Icon.js';
import { PanelFrame } from './PanelFrame.js';

interface ReceiptsPanelProps {
  conversationId: string;
  messageId: string;
  onClose(): void;
}

function ReceiptGroup({ title, receipts, read }: { title: string; receipts: Receipt[]; read?: boolean }) {
  const users = useAppState((s) => s.users);
  if (receipts.length === 0) return null;
  return (
    <section className="card">
      <h4 className="receipt-title">
        <span className={read ? 'ticks ticks-read' : 'ticks'}>
          <Icon name={title === 'Not delivered yet' ? 'check' : 'doubleCheck'} size={18} />
        </span>
        {title}
      </h4>
      <ul className="member-list">
        {receipts.map((r) => (
          <li key={r.userId} className="member-row">
            <Avatar id={r.userId} name={userName(r.userId, users)} url={users[r.userId]?.avatarUrl} size={36} />
            <span className="user-row-text">
              <span className="user-row-name">{userName(r.userId, users)}</span>
              {r.at && (
                <span className="user-row-sub">
                  {formatListTime(r.at)} {formatClock(r.at) !== formatListTime(r.at) ? `at ${formatClock(r.at)}` : ''}
                </span>
              )}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ReceiptsPanel({ conversationId, messageId, onClose }: ReceiptsPanelProps) {
  const session = useSession();
  const message = useAppState((s) => s.timelines[conversationId]?.messages.find((m) => m.id === messageId));
  const [receipts, setReceipts] = useState<Receipt[] | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    if (!message) return;
    let current = true;
    session.receipts(message).then(
      (list) => current && setReceipts(list),
      () => current && setError('Could not load the receipts.'),
    );
    return () => {
      current = false;
    };
  }, [session, message]);

  const by = (status: Receipt['status'][]) => (receipts ?? []).filter((r) => status.includes(r.status));
  return (
    <PanelFrame title="Message info" onClose={onClose}>
      {message && (
        <div className="receipt-preview">
          <div className="bubble own-preview">{message.deletedAt ? 'This message was deleted' : message.content}</div>
        </div>
      )}
      {!receipts && !error && <p className="muted pad">Loading…</p>}
      {error && <p className="muted pad">{error}</p>}
      {receipts?.length === 0 && <p className="muted pad">Nobody else could see this message.</p>}
      <ReceiptGroup title="Read by" receipts={by(['read'])} read />
      <ReceiptGroup title="Delivered to" receipts={by(['delivered'])} />
      <ReceiptGroup title="Not delivered yet" receipts={by(['sent', 'queued'])} />
    </PanelFrame>
  );
}
