/**
 * Preloaded into a server process (NODE_OPTIONS=--import=<this file>) to take a
 * CPU profile of an exact interval: the first SIGUSR2 starts the V8 sampling
 * profiler, the second stops it and writes the profile (Chrome DevTools
 * .cpuprofile JSON) to $BENCH_CPU_PROFILE_FILE. (`--cpu-prof` itself is not
 * allowed in NODE_OPTIONS and profiles the whole process lifetime.)
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.BENCH_CPU_PROFILE_FILE;
if (file) {
  const session = new Session();
  session.connect();
  let profiling = false;
  process.on('SIGUSR2', () => {
    if (!profiling) {
      profiling = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')),
      );
      return;
    }
    profiling = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) {
        process.stderr.write(`cpu profile failed: ${error.message}\n`);
        return;
      }
      writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
