/**
 * Forwarding from the web client: the "Forwarded" label of a copy, and the
 * dialog that picks up to LIMITS.forwardTargetsMax chats to forward a message
 * to. The dialog keeps the focus inside; Escape closes it.
 */
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { LIMITS, type Message } from '../../../sdk/index.js';
import { Avatar } from '../components/Avatar.js';
import { Icon } from '../components/Icon.js';
import { conversationAvatar, conversationTitle } from '../lib/names.js';
import { useAppState, useSession } from '../session/context.js';
import { selectConversationList } from '../state/selectors.js';
import './mentions.css';

export function ForwardedLabel() {
  return (
    <div className="forwarded-label">
      <Icon name="forward" size={14} />
      Forwarded
    </div>
  );
}

interface ForwardDialogProps {
  message: Message;
  onClose(): void;
}

export function ForwardDialog({ message, onClose }: ForwardDialogProps) {
  const session = useSession();
  const entries = useAppState(selectConversationList);
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  const id = useId();
  const targets = entries.filter((e) => !e.removed);
  const full = chosen.length >= LIMITS.forwardTargetsMax;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.current?.querySelector<HTMLElement>('input')?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const toggle = (conversationId: string) =>
    setChosen((list) =>
      list.includes(conversationId)
        ? list.filter((c) => c !== conversationId)
        : list.length < LIMITS.forwardTargetsMax
          ? [...list, conversationId]
          : list,
    );

  const submit = async () => {
    if (chosen.length === 0 || busy) return;
    setBusy(true);
    try {
      await session.forwardMessage(message.id, chosen);
      onClose();
    } catch {
      // The session showed a notice; the dialog stays open to retry.
      setBusy(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      event.nativeEvent.stopImmediatePropagation();
      onClose();
    } else if (event.key === 'Tab') {
      const focusable = [...(dialog.current?.querySelectorAll<HTMLElement>('input, button:not(:disabled)') ?? [])];
      const index = focusable.indexOf(document.activeElement as HTMLElement);
      event.preventDefault();
      focusable[(index + (event.shiftKey ? -1 : 1) + focusable.length) % focusable.length]?.focus();
    }
  };

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialog}
        className="dialog forward-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        onKeyDown={onKeyDown}
      >
        <h2 id={`${id}-title`}>Forward message to…</h2>
        <p className="forward-hint">
          {chosen.length} of at most {LIMITS.forwardTargetsMax} chats selected
        </p>
        <ul className="forward-list" aria-label="Chats">
          {targets.map(({ conversation }) => {
            const title = conversationTitle(conversation, users, meId);
            const avatar = conversationAvatar(conversation, users, meId);
            const checked = chosen.includes(conversation.id);
            return (
              <li key={conversation.id}>
                <label className="forward-option">
                  <input
                    type="checkbox"
                    checked={checked}
                    disabled={!checked && full}
                    onChange={() => toggle(conversation.id)}
                  />
                  <Avatar id={avatar.id} name={title} url={avatar.url} size={32} />
                  <span>{title}</span>
                </label>
              </li>
            );
          })}
        </ul>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button primary"
            disabled={chosen.length === 0 || busy}
            onClick={() => void submit()}
          >
            Forward
          </button>
        </div>
      </div>
    </div>
  );
}
