// Test helpers other packages' tests use: the contract suites that every SessionStore and
// RetainedStore adapter must pass, and the in-memory adapters to compare against.
export { retainedStoreContract } from './retained-store.contract.ts';
export { sessionStoreContract } from './session-store.contract.ts';
export { HeldProducer, startTestGateway, TEST_LIMITS, type TestGateway, type TestGatewayOptions } from './gateway-test-server.ts';
