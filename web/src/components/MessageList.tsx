/**
 * The scrolling history of a chat: day separators, grouped bubbles, queued and
 * failed sends at the end. Scrolling up loads older pages (keeping the view
 * still); new messages keep it pinned to the bottom when it was there.
 */
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '../../../sdk/index.js';
import { copyText } from '../lib/clipboard.js';
import { buildRows } from '../lib/grouping.js';
import { UploadBubbles } from '../media/UploadBubbles.js';
import { ForwardDialog } from '../mentions/ForwardDialog.js';
import { pinMenuItem } from '../pins/message-menu.js';
import { usePins } from '../pins/state.js';
import { useAppState, useNow, useSession } from '../session/context.js';
import { createChatItemsSelector } from '../state/selectors.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { DaySeparator } from './DaySeparator.js';
import { Icon } from './Icon.js';
import { type MessageActions, MessageBubble } from './MessageBubble.js';
import { SystemMessage } from './SystemMessage.js';

interface MessageListProps {
  conversationId: string;
  onReply(message: Message): void;
  onEdit(message: Message): void;
}

const EDGE_PX = 400;

function findMessage(root: HTMLElement | null, messageId: string): HTMLElement | null {
  for (const el of root?.querySelectorAll<HTMLElement>('[data-message-id]') ?? []) {
    if (el.dataset.messageId === messageId) return el;
  }
  return null;
}

export function MessageList({ conversationId, onReply, onEdit }: MessageListProps) {
  const session = useSession();
  const timeline = useAppState((s) => s.timelines[conversationId]);
  const pending = useAppState((s) => s.pending);
  const failed = useAppState((s) => s.failed);
  const meId = useAppState((s) => s.me?.id ?? '');
  const entry = useAppState((s) => s.conversations[conversationId]);
  const pins = usePins((s) => s.messages[conversationId]);
  const marks = useAppState((s) => s.watermarks[conversationId]);
  const users = useAppState((s) => s.users);
  const focus = useAppState((s) => s.focus);
  const [selectItems] = useState(createChatItemsSelector);
  const now = useNow(60_000);
  const items = selectItems({
    messages: timeline?.messages,
    pending,
    failed,
    conversationId,
    meId,
    showTail: !timeline?.hasNewer,
  });
  const rows = useMemo(() => buildRows(items, now), [items, now]);
  const byId = useMemo(() => new Map((timeline?.messages ?? []).map((m) => [m.id, m])), [timeline?.messages]);

  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prepend = useRef<{ height: number; firstKey: string | undefined } | null>(null);
  const lastKey = useRef<string | undefined>(undefined);
  const positioned = useRef(false);
  const [showJump, setShowJump] = useState(false);
  const [flash, setFlash] = useState<string | null>(null);
  const [toDelete, setToDelete] = useState<Message | null>(null);
  const [toForward, setToForward] = useState<Message | null>(null);
  const hasNewer = timeline?.hasNewer ?? false;

  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    atBottom.current = distance < 48;
    session.setAtBottom(conversationId, atBottom.current && !hasNewer);
    setShowJump(distance > 240 || hasNewer);
    const t = session.state.timelines[conversationId];
    if (!t?.loaded || t.loading) return;
    if (el.scrollTop < EDGE_PX && t.hasOlder) {
      prepend.current = { height: el.scrollHeight, firstKey: t.messages[0]?.id };
      void session.loadOlder(conversationId);
    } else if (distance < EDGE_PX && t.hasNewer) {
      void session.loadNewer(conversationId);
    }
  }, [session, conversationId, hasNewer]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !timeline?.loaded || timeline.loading === 'initial') return;
    const newest = items[items.length - 1];
    const anchor = prepend.current;
    if (anchor && anchor.firstKey !== timeline.messages[0]?.id) {
      // Older messages went in above: move down by what they added, so the view stays still.
      el.scrollTop += el.scrollHeight - anchor.height;
      prepend.current = null;
    } else if (!positioned.current) {
      positioned.current = true;
      if (!focus) el.scrollTop = el.scrollHeight;
    } else if (newest && newest.key !== lastKey.current) {
      const mineJustSent = newest.senderId === meId && newest.state === 'queued';
      if (atBottom.current || mineJustSent) el.scrollTop = el.scrollHeight;
    }
    if (!timeline.loading) prepend.current = null;
    lastKey.current = newest?.key;
    measure();
  }, [items, timeline?.loaded, timeline?.loading, timeline?.messages, focus, meId, measure]);

  useLayoutEffect(() => {
    // Runs again as rows render: the message may arrive with a later page.
    if (!focus || focus.conversationId !== conversationId || rows.length === 0) return;
    if (!timeline?.loaded || timeline.loading === 'initial') return;
    const el = findMessage(scroller.current, focus.messageId);
    if (!el) return;
    positioned.current = true;
    el.scrollIntoView?.({ block: 'center' });
    setFlash(focus.messageId);
    session.dispatch({ type: 'focusDone' });
  }, [focus, conversationId, session, rows, timeline?.loaded, timeline?.loading]);

  useLayoutEffect(() => {
    if (!flash) return;
    const timer = setTimeout(() => setFlash(null), 2500);
    return () => clearTimeout(timer);
  }, [flash]);

  const jumpToNewest = async () => {
    if (hasNewer) {
      positioned.current = false;
      await session.loadNewest(conversationId);
    }
    const el = scroller.current;
    el?.scrollTo?.({ top: el.scrollHeight, behavior: 'smooth' });
  };

  const actions: MessageActions = {
    reply: onReply,
    edit: onEdit,
    remove: setToDelete,
    forward: setToForward,
    copy: (m) => {
      void copyText(m.content).then(
        () => session.dispatch({ type: 'notice', text: 'Message copied' }),
        () => session.dispatch({ type: 'notice', text: 'Could not copy' }),
      );
    },
    info: (m) => session.dispatch({ type: 'panel', panel: { kind: 'receipts', messageId: m.id } }),
    jumpTo: (id) => {
      const el = findMessage(scroller.current, id);
      el?.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
      if (el) setFlash(id);
    },
    retry: (id) => session.retryFailed(id),
    discard: (id) => session.discardFailed(id),
    pinItem: (m) => (entry ? pinMenuItem(session, entry.conversation, meId, m, pins ?? []) : null),
  };

  if (!entry) return null;
  const conversation = entry.conversation;
  const isAdmin = conversation.members.some((m) => m.userId === meId && m.role === 'admin');
  const unread = entry.unreadCount;

  return (
    <div className="messages-wrap">
      <div className="messages" ref={scroller} onScroll={measure} role="log" aria-label="Messages">
        <div className="messages-inner">
          {!timeline?.loaded && <div className="loading-row">Loading messages…</div>}
          {timeline?.loading === 'older' && <div className="loading-row overlay">Loading earlier messages…</div>}
          {timeline?.loaded && !timeline.hasOlder && (
            <div className="chat-start">
              <Icon name="lock" size={14} /> Messages are stored on your chat server.
            </div>
          )}
          {rows.map((row) => {
            if (row.kind === 'day') return <DaySeparator key={row.key} label={row.label} />;
            const { item } = row;
            if (item.state === 'stored' && item.isSystem) return <SystemMessage key={row.key} message={item.message} />;
            const replyTo =
              item.state === 'stored'
                ? item.message.replyToId
                : item.state === 'queued'
                  ? item.pending.replyToId
                  : item.failed.replyToId;
            return (
              <MessageBubble
                key={row.key}
                item={item}
                first={row.first}
                last={row.last}
                conversation={conversation}
                meId={meId}
                isAdmin={isAdmin}
                users={users}
                marks={marks}
                replied={replyTo ? byId.get(replyTo) : undefined}
                flash={flash !== null && flash === (item.state === 'stored' ? item.message.id : item.key)}
                actions={actions}
              />
            );
          })}
          {timeline?.loading === 'newer' && <div className="loading-row">Loading…</div>}
          {!timeline?.hasNewer && <UploadBubbles conversationId={conversationId} />}
        </div>
      </div>
      {showJump && (
        <button
          type="button"
          className="jump-button"
          aria-label="Jump to newest message"
          title="Jump to newest message"
          onClick={jumpToNewest}
        >
          <Icon name="chevronDown" />
          {unread > 0 && <span className="badge">{unread}</span>}
        </button>
      )}
      {toForward && <ForwardDialog message={toForward} onClose={() => setToForward(null)} />}
      {toDelete && (
        <ConfirmDialog
          title="Delete message?"
          body="It will be deleted for everyone in this chat."
          confirmLabel="Delete for everyone"
          danger
          onCancel={() => setToDelete(null)}
          onConfirm={() => {
            const message = toDelete;
            setToDelete(null);
            void session.deleteMessage(message.id).catch(() => undefined);
          }}
        />
      )}
    </div>
  );
}
