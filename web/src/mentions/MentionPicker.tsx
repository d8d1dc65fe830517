/**
 * The composer's `@` autocomplete: a listbox of the group's members matching
 * what is typed after `@`. Arrow keys move, Enter or Tab picks, Escape closes;
 * the textarea keeps the focus (aria-activedescendant points at the option).
 */
import { type KeyboardEvent, type ReactNode, type RefObject, useId, useMemo, useState } from 'react';
import type { Conversation, User } from '../../../sdk/index.js';
import { Avatar } from '../components/Avatar.js';
import type { UserMap } from '../lib/names.js';
import { type ActiveMention, activeMention, insertMention, suggestions } from './autocomplete.js';
import './mentions.css';

interface Options {
  conversation: Conversation | undefined;
  meId: string | undefined;
  users: UserMap;
  text: string;
  input: RefObject<HTMLTextAreaElement | null>;
  setText(text: string): void;
}

export interface MentionAutocomplete {
  /** Handles the key when the picker is open; true when it did (the composer then does nothing). */
  onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>): boolean;
  /** Call when the caret may have moved (select, click, keyup). */
  track(): void;
  /** Props of the textarea for assistive technology. */
  inputProps: Record<string, string | boolean | undefined>;
  picker: ReactNode;
}

export function useMentionAutocomplete({
  conversation,
  meId,
  users,
  text,
  input,
  setText,
}: Options): MentionAutocomplete {
  const id = useId();
  const [caret, setCaret] = useState(0);
  const [selected, setSelected] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const members = useMemo(
    () =>
      conversation?.type === 'group'
        ? conversation.members.flatMap((m) => (users[m.userId] ? [users[m.userId] as User] : []))
        : [],
    [conversation, users],
  );
  const active: ActiveMention | null = members.length > 0 ? activeMention(text, Math.min(caret, text.length)) : null;
  const options = active && active.start !== dismissed ? suggestions(active.query, members, meId) : [];
  const open = active !== null && options.length > 0;
  const index = Math.min(selected, Math.max(0, options.length - 1));

  const track = () => {
    const el = input.current;
    if (!el) return;
    if (el.selectionStart !== caret) setCaret(el.selectionStart);
  };

  const choose = (user: User) => {
    if (!active) return;
    const next = insertMention(text, active, Math.min(caret, text.length), user.username);
    setText(next.text);
    setSelected(0);
    setCaret(next.caret);
    requestAnimationFrame(() => {
      const el = input.current;
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    const move = (by: number) => {
      event.preventDefault();
      setSelected((index + by + options.length) % options.length);
    };
    switch (event.key) {
      case 'ArrowDown':
        move(1);
        return true;
      case 'ArrowUp':
        move(-1);
        return true;
      case 'Enter':
      case 'Tab': {
        const user = options[index];
        if (!user || event.shiftKey) return false;
        event.preventDefault();
        choose(user);
        return true;
      }
      case 'Escape':
        event.preventDefault();
        event.nativeEvent.stopImmediatePropagation();
        setDismissed(active?.start ?? null);
        return true;
      default:
        return false;
    }
  };

  const optionId = (i: number) => `${id}-option-${i}`;
  const picker = open ? (
    <div className="mention-picker" id={`${id}-list`} role="listbox" aria-label="Mention a member">
      {options.map((user, i) => (
        <div
          key={user.id}
          id={optionId(i)}
          role="option"
          // The textarea keeps the focus (aria-activedescendant); -1 only makes the option focusable by script.
          tabIndex={-1}
          aria-selected={i === index}
          className={i === index ? 'mention-option selected' : 'mention-option'}
          // mousedown, not click: the textarea must not lose the focus first.
          onMouseDown={(event) => {
            event.preventDefault();
            choose(user);
          }}
          onMouseEnter={() => setSelected(i)}
        >
          <Avatar id={user.id} name={user.displayName} url={user.avatarUrl} size={28} />
          <span className="mention-option-name">{user.displayName}</span>
          <span className="mention-option-username">@{user.username}</span>
        </div>
      ))}
    </div>
  ) : null;

  return {
    onKeyDown,
    track,
    inputProps: {
      'aria-autocomplete': 'list',
      'aria-expanded': open,
      'aria-controls': open ? `${id}-list` : undefined,
      'aria-activedescendant': open ? optionId(index) : undefined,
    },
    picker,
  };
}
