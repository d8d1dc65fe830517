/**
 * Readiness of a node's dependencies: each is asked in parallel, each within
 * its own time limit, and the answer names every one that is down, so that
 * `/readyz` tells an operator (and a load balancer's log) which to look at.
 */

/** A dependency that did not answer; its message is meant for the `/readyz` body. */
export class NotReadyError extends Error {
  constructor(readonly down: readonly string[]) {
    super(`${down.join(' and ')} ${down.length > 1 ? 'do' : 'does'} not answer`);
    this.name = 'NotReadyError';
  }
}

export interface Dependency {
  /** As the operator knows it: `postgres`, `redis`, ... */
  name: string;
  /** Resolves when the dependency answers. */
  check(): Promise<unknown>;
}

const TIMEOUT_MS = 2_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // Not unref'd: it is cleared as soon as the check settles.
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when every dependency answers; otherwise throws NotReadyError naming those that did not. */
export async function checkDependencies(dependencies: readonly Dependency[], timeoutMs = TIMEOUT_MS): Promise<void> {
  const results = await Promise.allSettled(
    dependencies.map((dependency) =>
      within(
        Promise.resolve().then(() => dependency.check()),
        timeoutMs,
      ),
    ),
  );
  const down = dependencies.filter((_, i) => results[i]?.status === 'rejected').map((dependency) => dependency.name);
  if (down.length > 0) throw new NotReadyError(down);
}
