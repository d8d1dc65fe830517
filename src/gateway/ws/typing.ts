/**
 * Typing indicators: relayed to the other online members, never stored. A
 * start lapses after `lapseMs` unless renewed, and then the server itself
 * relays the stop.
 */
export type TypingRelayTarget = (conversationId: string, userId: string, typing: boolean) => void;

export class TypingRelay {
  private readonly active = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly relay: TypingRelayTarget,
    private readonly lapseMs: number,
  ) {}

  start(conversationId: string, userId: string): void {
    const key = `${conversationId}\u0000${userId}`;
    const timer = this.active.get(key);
    if (timer) clearTimeout(timer);
    const lapse = setTimeout(() => this.stop(conversationId, userId), this.lapseMs);
    lapse.unref();
    this.active.set(key, lapse);
    // Renewals are relayed too, so receivers can run the same lapse.
    this.relay(conversationId, userId, true);
  }

  stop(conversationId: string, userId: string): void {
    const key = `${conversationId}\u0000${userId}`;
    const timer = this.active.get(key);
    if (!timer) return;
    clearTimeout(timer);
    this.active.delete(key);
    this.relay(conversationId, userId, false);
  }

  /** The user's last connection closed: whatever it was typing stops. */
  stopAll(userId: string): void {
    for (const key of [...this.active.keys()]) {
      const [conversationId, typist] = key.split('\u0000');
      if (typist === userId && conversationId) this.stop(conversationId, userId);
    }
  }

  close(): void {
    for (const timer of this.active.values()) clearTimeout(timer);
    this.active.clear();
  }
}
