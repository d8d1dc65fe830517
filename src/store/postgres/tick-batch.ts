/**
 * Reads asked for in the same event-loop turn, answered by ONE statement:
 * frequent per-message reads (a send's grant, a receipt's senders) cost one
 * round trip per turn instead of one each. Each answer is what was committed
 * when that statement ran, as a read of its own would have been; nothing is
 * kept between turns.
 */

/** Answers the inputs, one output per input, in order. */
export type LoadMany<I, O> = (inputs: readonly I[]) => Promise<O[]>;

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

const MAX_PER_STATEMENT = 500;

export class TickBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private scheduled = false;

  constructor(private readonly load: LoadMany<I, O>) {}

  read(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.waiting;
    this.waiting = [];
    for (let start = 0; start < all.length; start += MAX_PER_STATEMENT) {
      void this.answer(all.slice(start, start + MAX_PER_STATEMENT));
    }
  }

  private async answer(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outputs = await this.load(batch.map((waiting) => waiting.input));
      if (outputs.length !== batch.length) throw new Error(`${outputs.length} answers for ${batch.length} reads`);
      for (const [i, waiting] of batch.entries()) waiting.resolve(outputs[i] as O);
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
