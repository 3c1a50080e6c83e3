export { testEngines, uniqueDatabaseName, type TestEngines } from './test-engines.ts';
export { startControlPlaneProcess, type ControlPlaneProcess } from './control-plane-process.ts';
export { seededRandom } from './seeded-random.ts';
