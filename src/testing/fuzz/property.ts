/**
 * fc.assert with a readable failure: the seed and path to replay it (each
 * failing seed becomes a regression test), the counterexample cut short (a
 * 300 KB string would drown the log) and the error it raised.
 */
import fc from 'fast-check';

export interface PropertyRun {
  runs: number;
  seed?: number;
  path?: string;
}

export async function checkProperty<Ts extends [unknown, ...unknown[]]>(
  property: fc.IAsyncPropertyWithHooks<Ts>,
  run: PropertyRun,
): Promise<void> {
  const details = await fc.check(property, {
    numRuns: run.runs,
    endOnFailure: true,
    ...(run.seed !== undefined ? { seed: run.seed } : {}),
    ...(run.path !== undefined ? { path: run.path } : {}),
  });
  if (!details.failed) return;
  const shown = JSON.stringify(details.counterexample, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 120 ? `${value.slice(0, 60)}…(${value.length} chars)` : value,
  );
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(
    `property failed (seed ${details.seed}, path "${details.counterexamplePath}"): ${cause}\ncounterexample: ${shown?.slice(0, 2_000)}`,
  );
}
