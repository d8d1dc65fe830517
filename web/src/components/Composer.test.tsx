/** @vitest-environment jsdom */
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { conversation, summary, user } from '../test-fixtures.js';
import { renderWithSession } from '../test-render.js';
import { Composer } from './Composer.js';

const alice = user('Alice');

describe('<Composer>', () => {
  const c = conversation({ memberIds: [alice.id, 'u-Bob'] });

  function setup(intent = null) {
    const result = renderWithSession(<Composer conversationId={c.id} intent={intent} onIntentDone={() => {}} />, {
      me: alice,
      conversations: [summary(c)],
    });
    const send = vi.spyOn(result.session, 'send').mockImplementation(() => {});
    const typing = vi.spyOn(result.session, 'typing').mockImplementation(() => {});
    return { ...result, send, typing, input: screen.getByLabelText('Type a message') };
  }

  it('sends on Enter and clears the box; Shift+Enter does not send', () => {
    const { send, input } = setup();
    fireEvent.change(input, { target: { value: 'hello' } });
    fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(send).not.toHaveBeenCalled();
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(send).toHaveBeenCalledWith(c.id, 'hello', null);
    expect((input as HTMLTextAreaElement).value).toBe('');
  });

  it('tells the SDK about typing, and sends nothing blank', () => {
    const { send, typing, input } = setup();
    fireEvent.change(input, { target: { value: 'h' } });
    expect(typing).toHaveBeenCalledWith(c.id);
    fireEvent.change(input, { target: { value: '   ' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(send).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Send message' })).toHaveProperty('disabled', true);
  });

  it('is replaced by a note when only admins may send', () => {
    const locked = conversation({ type: 'group', memberIds: ['u-Bob', alice.id], settings: { sendPolicy: 'admins' } });
    renderWithSession(<Composer conversationId={locked.id} intent={null} onIntentDone={() => {}} />, {
      me: alice,
      conversations: [summary(locked)],
    });
    expect(screen.getByRole('note').textContent).toBe('Only admins can send messages.');
    expect(screen.queryByLabelText('Type a message')).toBeNull();
  });
});
