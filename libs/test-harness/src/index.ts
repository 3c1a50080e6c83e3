export { testEngines, uniqueDatabaseName, type TestEngines } from './test-engines.ts';
export { startAppProcess, type AppProcessOptions } from './app-process.ts';
export { startControlPlaneProcess, type ControlPlaneProcess } from './control-plane-process.ts';
export { seededRandom } from './seeded-random.ts';
export { nextEvent, within } from './test-waits.ts';
