/** The bus of one node (the embedded mode): events go straight to this process's listeners. */
import { type Bus, type BusEvent, type BusListener, dispatch } from './bus.js';

export class MemoryBus implements Bus {
  private readonly listeners = new Set<BusListener>();
  private closed = false;

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  publish(event: BusEvent): void {
    if (!this.closed) dispatch(this.listeners, event, this.onError);
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One process misses nothing. */
  onGap(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }
}
