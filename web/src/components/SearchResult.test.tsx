/** @vitest-environment jsdom */
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { conversation, message, summary, user } from '../test-fixtures.js';
import { renderWithSession } from '../test-render.js';
import { SearchResult } from './SearchResult.js';

describe('<SearchResult>', () => {
  it('highlights the query words and opens the hit', () => {
    const alice = user('Alice');
    const c = conversation({ type: 'group', name: 'Crag crew', memberIds: [alice.id, 'u-Bob'] });
    const hit = message(c.id, 7, { content: 'Climbing at the café tomorrow?' });
    const onOpen = vi.fn();
    renderWithSession(
      <ul>
        <SearchResult message={hit} query="clim cafe" showConversation onOpen={onOpen} />
      </ul>,
      { me: alice, conversations: [summary(c)], actions: [{ type: 'users', users: [user('Bob')] }] },
    );
    const marks = [...document.querySelectorAll('mark')].map((m) => m.textContent);
    expect(marks).toEqual(['Clim', 'café']);
    expect(screen.getByRole('button').textContent).toContain('Crag crew');
    fireEvent.click(screen.getByRole('button'));
    expect(onOpen).toHaveBeenCalledWith(hit);
  });
});
