/**
 * Outgoing typing indicators. Call `keystroke()` on every keystroke: it sends
 * `typing:start` at most once per interval (3 s) while typing, so the server's
 * 5 s lapse never fires mid-typing, and `typing:stop` after an interval
 * without keystrokes, or at once on `stop()` (a send).
 */
import type { ClientFrame } from './protocol.js';

interface Typing {
  /** When the last start went out; 0 if none got out yet. */
  startedAt: number;
  idle: ReturnType<typeof setTimeout>;
}

export class TypingNotifier {
  private readonly active = new Map<string, Typing>();

  constructor(
    private readonly transmit: (frame: ClientFrame) => boolean,
    private readonly intervalMs = 3000,
  ) {}

  keystroke(conversationId: string): void {
    const now = Date.now();
    let typing = this.active.get(conversationId);
    if (typing) clearTimeout(typing.idle);
    const idle = setTimeout(() => this.stop(conversationId), this.intervalMs);
    if (!typing) {
      typing = { startedAt: 0, idle };
      this.active.set(conversationId, typing);
    }
    typing.idle = idle;
    if (typing.startedAt === 0 || now - typing.startedAt >= this.intervalMs) {
      // Offline, nothing goes out; the next keystroke tries again.
      if (this.transmit({ type: 'typing:start', conversationId })) typing.startedAt = now;
    }
  }

  /** Stops typing in a conversation (sends `typing:stop` if a start went out). */
  stop(conversationId: string): void {
    const typing = this.active.get(conversationId);
    if (!typing) return;
    clearTimeout(typing.idle);
    this.active.delete(conversationId);
    if (typing.startedAt !== 0) this.transmit({ type: 'typing:stop', conversationId });
  }

  isTyping(conversationId: string): boolean {
    return this.active.has(conversationId);
  }

  /** Forgets everything without sending (the connection is gone; the server stops it). */
  reset(): void {
    for (const typing of this.active.values()) clearTimeout(typing.idle);
    this.active.clear();
  }
}
