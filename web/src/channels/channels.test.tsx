/** @vitest-environment jsdom */
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Composer } from '../components/Composer.js';
import { ConversationList } from '../components/ConversationList.js';
import { conversation, message, summary, user } from '../test-fixtures.js';
import { renderWithSession } from '../test-render.js';

const admin = user('Ada');
const reader = user('Rex');
// A channel's conversation lists its admins only; the reader is a member all the same.
const channel = conversation({
  type: 'channel',
  name: 'Lighthouse news',
  memberIds: [admin.id],
  settings: { sendPolicy: 'admins' },
  channel: { public: true, memberCount: 2 },
  lastSeq: 1,
});

describe('channels in the web client', () => {
  it('lists a channel with its icon, named for screen readers', () => {
    const post = message(channel.id, 1, {
      senderId: admin.id,
      content: 'Lamp lit',
      createdAt: new Date().toISOString(),
    });
    renderWithSession(<ConversationList filter="" />, { me: reader, conversations: [summary(channel, post)] });
    const [link] = screen.getAllByRole('link');
    expect(link?.querySelector('.conversation-title')?.textContent).toBe('Channel: Lighthouse news');
    expect(link?.querySelector('.channel-icon')).not.toBeNull();
  });

  it('gives a reader no composer but the note that only admins post', () => {
    renderWithSession(<Composer conversationId={channel.id} intent={null} onIntentDone={() => {}} />, {
      me: reader,
      conversations: [summary(channel)],
    });
    expect(screen.getByRole('note').textContent).toBe('Only admins can post');
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it('gives an admin the composer', () => {
    renderWithSession(<Composer conversationId={channel.id} intent={null} onIntentDone={() => {}} />, {
      me: admin,
      conversations: [summary(channel)],
    });
    expect(screen.queryByRole('note')).toBeNull();
    expect(screen.getByRole('textbox')).toBeTruthy();
  });
});
