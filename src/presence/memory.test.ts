/** The presence rules on the in-process tracker (one node: every node name is the same tracker). */
import { describePresenceTracker } from './contract.js';
import { MemoryPresence } from './memory.js';

describePresenceTracker('memory', async (timings) => {
  const tracker = new MemoryPresence(timings);
  return { node: async () => tracker, multiNode: false, cleanup: () => tracker.close() };
});
