import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayTestPlatform, type GatewayTestPlatform } from './gateway-test-platform.ts';

// Interop with a real third-party client: Debian's mosquitto_pub and mosquitto_sub
// (`./plexus test` installs mosquitto-clients when they are missing).

const run = promisify(execFile);

let platform: GatewayTestPlatform;
let deviceToken = '';

beforeAll(async () => {
  platform = await startGatewayTestPlatform('gateway_interop');
  deviceToken = (await platform.registerDevice('valve-2')).token;
});

afterAll(() => platform?.stop());

/**
 * Starts mosquitto_sub and resolves once its SUBACK is in. What it prints comes wrapped in an
 * object: resolving with a bare promise would make this wait for the subscriber to exit.
 */
function subscribe(args: string[]): Promise<{ output: Promise<string> }> {
  return new Promise((resolveReady, rejectReady) => {
    // stdbuf: mosquitto_sub's stdout is a pipe here, which C stdio would buffer until exit.
    const child = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-d', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const done = new Promise<string>((resolve, reject) => {
      const deadline = setTimeout(() => {
        child.kill();
        reject(new Error(`mosquitto_sub did not finish: ${output}`));
      }, 10_000);
      child.once('exit', () => {
        clearTimeout(deadline);
        resolve(output);
      });
    });
    const timer = setTimeout(() => {
      child.kill();
      rejectReady(new Error(`mosquitto_sub got no SUBACK: ${output}`));
    }, 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('received SUBACK')) {
        clearTimeout(timer);
        resolveReady({ output: done });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

describe('interop with the Mosquitto clients', () => {
  it('carries a mosquitto_pub QoS 1 publish (3.1.1) into the stream and to a mosquitto_sub app (5.0)', async () => {
    const port = String(platform.gateway.mqttPort);
    const received = await subscribe(['-h', '127.0.0.1', '-p', port, '-V', 'mqttv5', '-i', 'app-1', '-u', 'app', '-P', platform.appKey, '-t', 'devices/+/telemetry', '-q', '1', '-C', '1', '-v']);
    const published = await run('mosquitto_pub', ['-d', '-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-i', 'valve-2', '-u', 'valve-2', '-P', deviceToken, '-t', 'devices/valve-2/telemetry', '-q', '1', '-m', '{"open":true}'], { timeout: 10_000 });
    expect(published.stdout).toMatch(/received PUBACK \(Mid: \d+, RC:0\)/);
    expect(await received.output).toContain('devices/valve-2/telemetry {"open":true}');
    const stored = await platform.storedRecords();
    expect(stored.map((record) => Buffer.from(record.payload).toString())).toEqual(['{"open":true}']);
  });

  it('refuses mosquitto_pub with a wrong token, and answers an unauthorized 5.0 publish with PUBACK 0x87', async () => {
    const port = String(platform.gateway.mqttPort);
    await expect(
      run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-i', 'valve-2', '-u', 'valve-2', '-P', 'wrong', '-t', 'devices/valve-2/telemetry', '-q', '1', '-m', 'x'], { timeout: 10_000 })
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/refused/i) });
    const denied = await run('mosquitto_pub', ['-d', '-h', '127.0.0.1', '-p', port, '-V', 'mqttv5', '-i', 'valve-2', '-u', 'valve-2', '-P', deviceToken, '-t', 'devices/other/telemetry', '-q', '1', '-m', 'x'], { timeout: 10_000 });
    expect(denied.stdout).toMatch(/received PUBACK \(Mid: \d+, RC:135\)/);
  });
});
