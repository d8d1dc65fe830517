/**
 * A side panel or drawer: a header with a close button and a title, Escape
 * closes it, focus moves into it on open and back to where it was on close.
 */
import { type ReactNode, useEffect, useRef } from 'react';
import { IconButton } from './IconButton.js';

interface PanelFrameProps {
  title: string;
  onClose(): void;
  /** "back" (a drawer over the chat list) or "close" (a panel beside the chat). */
  closeIcon?: 'back' | 'close';
  className?: string;
  children: ReactNode;
}

export function PanelFrame({ title, onClose, closeIcon = 'close', className, children }: PanelFrameProps) {
  const root = useRef<HTMLElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // A field marked data-autofocus (a search box), else the close button.
    const first = root.current?.querySelector<HTMLElement>('[data-autofocus]');
    (first ?? root.current?.querySelector<HTMLElement>('button'))?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      // The innermost open panel closes first; menus and dialogs stop the event themselves.
      const panels = document.querySelectorAll('.panel');
      if (panels[panels.length - 1] !== root.current) return;
      event.preventDefault();
      close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <section ref={root} className={className ? `panel ${className}` : 'panel'} aria-label={title}>
      <header className="panel-header">
        <IconButton icon={closeIcon} label={closeIcon === 'back' ? 'Back' : 'Close'} onClick={onClose} />
        <h2>{title}</h2>
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
