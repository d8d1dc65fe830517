/** @vitest-environment jsdom */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { Menu } from './Menu.js';

describe('<Menu>', () => {
  it('opens with the first item focused, moves with arrows, closes on Escape back to its button', () => {
    const reply = vi.fn();
    render(
      <Menu
        label="Message actions"
        icon="chevronDown"
        items={[
          { label: 'Reply', onSelect: reply },
          { label: 'Copy', onSelect: () => {} },
          { label: 'Delete for everyone', danger: true, onSelect: () => {} },
        ]}
      />,
    );
    const button = screen.getByRole('button', { name: 'Message actions' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    act(() => button.click());
    expect(button.getAttribute('aria-expanded')).toBe('true');
    const items = screen.getAllByRole('menuitem');
    expect(document.activeElement).toBe(items[0]);
    fireEvent.keyDown(items[0] as HTMLElement, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(items[1]);
    fireEvent.keyDown(items[1] as HTMLElement, { key: 'ArrowUp' });
    fireEvent.keyDown(items[0] as HTMLElement, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(items[2]);
    fireEvent.keyDown(items[2] as HTMLElement, { key: 'Escape' });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(button);

    act(() => button.click());
    act(() => (screen.getByRole('menuitem', { name: 'Reply' }) as HTMLElement).click());
    expect(reply).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('menu')).toBeNull();
  });
});
