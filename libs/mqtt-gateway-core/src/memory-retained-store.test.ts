import { MemoryRetainedStore } from './memory-retained-store.ts';
import { retainedStoreContract } from './retained-store.contract.ts';

retainedStoreContract('in memory', () => new MemoryRetainedStore());
