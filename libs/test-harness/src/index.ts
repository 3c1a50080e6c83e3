export { testEngines, uniqueDatabaseName, type TestEngines } from './test-engines.ts';
