import { describe } from 'vitest';
import { AerospikeShadowStore } from './aerospike-shadow-store.ts';
import { AerospikeTimeSeriesStore } from './aerospike-time-series-store.ts';
import { shadowStoreContract, timeSeriesStoreContract } from './test-support.ts';

// The contract suites against a real Aerospike server, when AEROSPIKE_HOSTS names one (see
// AEROSPIKE.md for building and running one locally). CI has none, so there they are skipped.
const hosts = process.env.AEROSPIKE_HOSTS;
const namespace = process.env.AEROSPIKE_NAMESPACE;

if (!hosts) console.info('aerospike-stores.test.ts: AEROSPIKE_HOSTS is unset, so the Aerospike contract suites are skipped');

describe.skipIf(!hosts)(`Aerospike adapters at ${hosts ?? '(AEROSPIKE_HOSTS unset)'}`, () => {
  const options = { hosts: hosts ?? '', ...(namespace ? { namespace } : {}) };
  timeSeriesStoreContract('aerospike', () => AerospikeTimeSeriesStore.connect(options));
  shadowStoreContract('aerospike', () => AerospikeShadowStore.connect(options));
});
