/**
 * The message composer: Enter sends, Shift+Enter adds a line, Escape cancels a
 * reply or an edit. Keystrokes drive the SDK's typing helper; sends go to the
 * SDK outbox, so they show at once (with a clock) and go out when connected.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { personName } from '../lib/names.js';
import { messageTypeFor } from '../media/format.js';
import { uploadMedia } from '../media/upload.js';
import { uploads } from '../media/uploads.js';
import { useMentionAutocomplete } from '../mentions/MentionPicker.js';
import { useAppState, useSession } from '../session/context.js';
import type { ComposeIntent } from './ChatView.js';
import { Icon } from './Icon.js';
import { IconButton } from './IconButton.js';

/** Unsent drafts per conversation, kept while the page lives. */
const drafts = new Map<string, string>();

interface ComposerProps {
  conversationId: string;
  intent: ComposeIntent | null;
  onIntentDone(): void;
}

export function Composer({ conversationId, intent, onIntentDone }: ComposerProps) {
  const session = useSession();
  const entry = useAppState((s) => s.conversations[conversationId]);
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  const [text, setText] = useState(() => drafts.get(conversationId) ?? '');
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const editing = intent?.kind === 'edit' ? intent.message : null;

  useEffect(() => {
    if (!intent) return;
    if (intent.kind === 'edit') setText(intent.message.content);
    input.current?.focus();
  }, [intent]);

  useEffect(() => {
    if (!editing) drafts.set(conversationId, text);
  }, [conversationId, text, editing]);

  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  });

  const mention = useMentionAutocomplete({ conversation: entry?.conversation, meId, users, text, input, setText });

  if (!entry) return null;
  const { conversation } = entry;
  const isAdmin = conversation.members.some((m) => m.userId === meId && m.role === 'admin');
  if (entry.removed || (conversation.settings.sendPolicy === 'admins' && !isAdmin)) {
    return (
      <div className="composer-locked" role="note">
        {entry.removed
          ? 'You can no longer send messages to this group.'
          : conversation.type === 'channel'
            ? 'Only admins can post'
            : 'Only admins can send messages.'}
      </div>
    );
  }

  const cancelIntent = () => {
    if (editing) setText(drafts.get(conversationId) ?? '');
    onIntentDone();
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const value = text.trim();
    if (!value) return;
    if (editing) {
      if (value !== editing.content) void session.editMessage(editing.id, value).catch(() => undefined);
      setText(drafts.get(conversationId) ?? '');
      onIntentDone();
      return;
    }
    session.send(conversationId, value, intent?.kind === 'reply' ? intent.message.id : null);
    setText('');
    drafts.delete(conversationId);
    if (intent) onIntentDone();
  };

  /** Uploads each picked file (progress in a pending bubble), then sends it with the caption. */
  const attach = (files: FileList | null) => {
    const list = files ? [...files] : [];
    if (picker.current) picker.current.value = '';
    if (list.length === 0) return;
    const caption = text.trim();
    const replyToId = intent?.kind === 'reply' ? intent.message.id : null;
    setText('');
    drafts.delete(conversationId);
    if (intent) onIntentDone();
    list.forEach((file, index) => {
      const handle = uploadMedia(session.baseUrl, session.token, file, (progress) => uploads.update(key, { progress }));
      const key = uploads.add({ conversationId, fileName: file.name, size: file.size, abort: handle.abort });
      handle.done.then(
        (media) => {
          uploads.remove(key);
          // The caption and the reply go with the first file only.
          const first = index === 0;
          session.sendMedia(
            conversationId,
            media.id,
            messageTypeFor(media.mimeType),
            first ? caption : '',
            first ? replyToId : null,
          );
        },
        (error: unknown) => {
          if (error instanceof Error && error.message === 'Upload cancelled.') uploads.remove(key);
          else uploads.update(key, { error: error instanceof Error ? error.message : String(error) });
        },
      );
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (mention.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    } else if (event.key === 'Escape' && intent) {
      event.preventDefault();
      event.nativeEvent.stopImmediatePropagation();
      cancelIntent();
    }
  };

  return (
    <form className="composer" onSubmit={submit}>
      {intent && (
        <div className={`composer-intent ${intent.kind}`}>
          <Icon name={intent.kind === 'reply' ? 'reply' : 'edit'} size={18} />
          <div className="composer-intent-text">
            <span className="composer-intent-title">
              {intent.kind === 'reply'
                ? `Replying to ${personName(intent.message.senderId, users, meId)}`
                : 'Edit message'}
            </span>
            <span className="composer-intent-quote">{intent.message.content}</span>
          </div>
          <IconButton
            icon="close"
            size={20}
            label={intent.kind === 'reply' ? 'Cancel reply' : 'Cancel edit'}
            onClick={cancelIntent}
          />
        </div>
      )}
      {mention.picker}
      <div className="composer-row">
        {!editing && (
          <>
            <IconButton
              icon="attachment"
              label="Attach a file"
              className="attach-button"
              onClick={() => picker.current?.click()}
            />
            <input
              ref={picker}
              type="file"
              multiple
              hidden
              tabIndex={-1}
              aria-label="Choose files to attach"
              data-testid="attach-input"
              onChange={(e) => attach(e.target.files)}
            />
          </>
        )}
        <textarea
          ref={input}
          className="composer-input"
          aria-label={editing ? 'Edit message' : 'Type a message'}
          placeholder="Type a message"
          rows={1}
          value={text}
          maxLength={65_536}
          onChange={(e) => {
            setText(e.target.value);
            if (editing) return;
            if (e.target.value.trim()) session.typing(conversationId);
            else session.stopTyping(conversationId);
          }}
          onKeyDown={onKeyDown}
          onSelect={mention.track}
          {...mention.inputProps}
          onBlur={() => session.stopTyping(conversationId)}
        />
        <button
          type="submit"
          className="send-button"
          aria-label={editing ? 'Save edit' : 'Send message'}
          title={editing ? 'Save edit' : 'Send message'}
          disabled={!text.trim()}
        >
          <Icon name={editing ? 'check' : 'send'} />
        </button>
      </div>
    </form>
  );
}
