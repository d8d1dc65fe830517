import { describe, expect, it } from 'vitest';
import type { LinkPreview } from '../../../sdk/index.js';
import { reducer } from '../state/reducer.js';
import { type Action, type AppState, initialState } from '../state/types.js';
import { conversation, message, summary, user } from '../test-fixtures.js';

const preview: LinkPreview = {
  url: 'https://example.com/a',
  host: 'example.com',
  title: 'A title',
  description: null,
  image: null,
};

describe('link previews in the state', () => {
  const c = conversation({ lastSeq: 2 });
  const first = message(c.id, 1, { content: 'https://example.com/a' });
  const second = message(c.id, 2);
  const run = (actions: Action[], state: AppState) => actions.reduce(reducer, state);
  const boot = () =>
    run(
      [
        {
          type: 'bootstrap',
          me: user('Alice'),
          privacy: { presence: 'everyone', lastSeen: 'everyone' },
          conversations: [summary(c, second)],
          pending: [],
        },
        { type: 'page', conversationId: c.id, mode: 'newest', messages: [first, second], hasMore: false },
      ],
      initialState,
    );

  it('puts a live preview on the message and keeps it through an edit, not through a deletion', () => {
    let state = run([{ type: 'messagePreview', conversationId: c.id, messageId: first.id, preview }], boot());
    expect(state.timelines[c.id]?.messages[0]?.preview).toEqual(preview);
    state = reducer(state, { type: 'messageUpdated', message: { ...first, content: 'edited', editedAt: 'now' } });
    expect(state.timelines[c.id]?.messages[0]?.preview).toEqual(preview);
    state = reducer(state, { type: 'messageUpdated', message: { ...first, content: '', deletedAt: 'now' } });
    expect(state.timelines[c.id]?.messages[0]?.preview).toBeUndefined();
  });

  it('updates the chat list entry when the last message gets a preview, and ignores unknown messages', () => {
    const state = reducer(boot(), { type: 'messagePreview', conversationId: c.id, messageId: second.id, preview });
    expect(state.conversations[c.id]?.lastMessage?.preview).toEqual(preview);
    const same = boot();
    expect(reducer(same, { type: 'messagePreview', conversationId: c.id, messageId: 'nope', preview })).toBe(same);
  });
});
