/** The bus contract on the in-process bus (the embedded mode: one node). */
import { describeBus } from './contract.js';
import { MemoryBus } from './memory.js';

describeBus('memory', async () => {
  const bus = new MemoryBus();
  return {
    open: async () => bus,
    place: () => {},
    multiNode: false,
    cleanup: () => bus.close(),
  };
});
