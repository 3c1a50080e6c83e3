// The contract suites every adapter of the ports must pass, for adapter packages' own tests:
// `timeSeriesStoreContract('aerospike', () => new AerospikeTimeSeriesStore(...))`.
export { makePoint, timeSeriesStoreContract } from './contract/time-series-store-contract.ts';
export { shadowStoreContract } from './contract/shadow-store-contract.ts';
