import { MemorySessionStore } from './memory-session-store.ts';
import { sessionStoreContract } from './session-store.contract.ts';

sessionStoreContract('in memory', () => new MemorySessionStore());
