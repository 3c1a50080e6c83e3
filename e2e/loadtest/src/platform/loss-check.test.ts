import { describe, expect, it } from 'vitest';
import { loadtestPlatformErrors } from './errors.ts';
import { checkLoss } from './loss-check.ts';

// The counts against a real data plane are in platform.e2e.test.ts.
describe('checkLoss', () => {
  it('refuses acked counts that do not line up with the devices, before asking anything', async () => {
    const failure = await checkLoss({
      dataPlaneUrl: 'http://127.0.0.1:9',
      apiKey: 'unused',
      deviceIds: ['d0000000', 'd0000001'],
      acked: [1],
      from: 0,
      to: 1,
      storeWaitMs: 0
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: loadtestPlatformErrors.lossCheckMismatch.code });
  });
});
