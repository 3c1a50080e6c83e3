// The Aerospike adapters, apart from the package's main entry so that loading the package does
// not load the client's native addon: an app imports this only when AEROSPIKE_HOSTS is set.
export { AerospikeShadowStore } from './aerospike-shadow-store.ts';
export { AerospikeTimeSeriesStore } from './aerospike-time-series-store.ts';
export type { AerospikeStoreOptions } from './aerospike-connection.ts';
