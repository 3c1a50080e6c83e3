import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKinesisStream, freePort, repoRoot } from '@plexus/engines';
import { testEngines, uniqueDatabaseName } from '@plexus/test-harness';
import type { Report } from './contracts/report.ts';
import { openInChromium } from './dashboard/dashboard-browser.ts';

// The load suite end to end, as CI runs it: `loadtest run` starts the platform itself
// (`./plexus start` on free ports, on this run's engines), provisions the fleet, runs the agents,
// checks every acknowledged message is stored and writes the report, while the live dashboard
// is read in real headless Chromium.

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const SCREENSHOTS = join(repoRoot(), 'dist', 'loadtest', 'screenshots');

interface CliRun {
  readonly exitCode: number;
  readonly output: string;
  readonly reportDir: string | undefined;
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'plexus-loadtest-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `main.ts run …` with the platform on free ports and private names on the shared engines. */
async function runCli(args: readonly string[], onDashboard?: (url: string) => Promise<void>): Promise<CliRun> {
  const engines = testEngines();
  const stream = `loadtest-${randomBytes(4).toString('hex')}`;
  await ensureKinesisStream(engines.kinesisEndpoint, stream, 2);
  const [controlPlane, dataPlane, mqtt, mqttTls, metrics, dashboard] = await Promise.all(Array.from({ length: 6 }, () => freePort()));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONTROL_PLANE_PORT: String(controlPlane),
    DATA_PLANE_PORT: String(dataPlane),
    MQTT_PORT: String(mqtt),
    MQTT_TLS_PORT: String(mqttTls),
    GATEWAY_METRICS_PORT: String(metrics),
    MONGODB_URI: engines.mongoUri,
    MONGODB_DATABASE: uniqueDatabaseName('loadtest'),
    REDIS_URL: engines.redisUrl,
    KINESIS_ENDPOINT: engines.kinesisEndpoint,
    KINESIS_STREAM: stream,
    CLUSTER_NAMESPACE: `loadtest-${randomBytes(4).toString('hex')}`,
    PLEXUS_DATA_DIR: await mkdtemp(join(scratch, 'platform-'))
  };
  const child = spawn(process.execPath, [MAIN, 'run', ...args, '--port', String(dashboard), '--out', join(scratch, 'reports')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let output = '';
  let browsing: Promise<void> = Promise.resolve();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    const url = /^dashboard: (\S+)\/$/m.exec(chunk)?.[1];
    if (url !== undefined && onDashboard !== undefined) browsing = onDashboard(url);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exitCode = await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  await browsing;
  return { exitCode, output, reportDir: /^report: (\S+)\/report\.html/m.exec(output)?.[1] };
}

async function readReport(run: CliRun): Promise<Report> {
  expect(run.reportDir, run.output).toBeDefined();
  return JSON.parse(await readFile(join(run.reportDir as string, 'report.json'), 'utf8')) as Report;
}

describe('loadtest run', () => {
  it('runs the smoke scenario against a platform it starts, loses nothing, and the live dashboard follows it', async () => {
    let changedWhileRunning = false;
    let consoleErrors: readonly string[] = [];
    const run = await runCli(['--scenario', 'smoke', '--agents', '2'], async (url) => {
      const browser = await openInChromium(`${url}/`);
      try {
        const { page } = browser;
        const connected = async (): Promise<string> => (await page.getByTestId('connected').textContent()) ?? '';
        await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 120_000, interval: 250 }).toBe('running');
        const first = await connected();
        // The page polls every second; the devices connect over four seconds.
        await expect.poll(connected, { timeout: 5_000, interval: 250 }).not.toBe(first);
        changedWhileRunning = true;
        await page.screenshot({ path: join(SCREENSHOTS, 'live-run.png'), fullPage: true });
        consoleErrors = [...browser.consoleErrors];
      } finally {
        await browser.close();
      }
    });
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/^PASSED: 200 devices/m);
    expect(changedWhileRunning).toBe(true);
    expect(consoleErrors).toEqual([]);

    const report = await readReport(run);
    const publishes = report.devices * 5;
    expect(report).toMatchObject({ scenario: 'smoke', passed: true, devices: 200, peakConnected: 200, publishesSent: publishes, acked: publishes, lost: 0, errors: {} });
    expect(report.stored).toBeGreaterThanOrEqual(publishes);
    expect(report.ackLatencyMs.count).toBe(publishes);
    expect(report.endToEndLatencyMs.count).toBeGreaterThan(0);
    expect(report.ackLatencyMs.p50).toBeGreaterThan(0);
    expect(report.ackLatencyMs.max).toBeGreaterThanOrEqual(report.ackLatencyMs.p999);
    expect(report.agents).toHaveLength(2);
    expect(report.agents.every((agent) => agent.peakConnected === 100 && agent.usage.cpuUserMs > 0)).toBe(true);
    expect(report.platform.map((process) => process.name)).toEqual(expect.arrayContaining(['control-plane', 'data-plane']));
    expect(report.target.startedByRun).toBe(true);
    expect(report.series.length).toBeGreaterThan(3);
    expect((await stat(join(run.reportDir as string, 'report.html'))).size).toBeGreaterThan(10_000);
  }, 300_000);

  it('exits non-zero and says why when errors pass the scenario’s threshold', async () => {
    const scenarioFile = join(scratch, 'forbidden.yaml');
    await writeFile(
      scenarioFile,
      [
        'name: forbidden',
        'description: every device publishes under another device id, which the gateway refuses',
        'devices: 20',
        'phases:',
        '  - { name: ramp, duration: 2s, rate: 20 }',
        'session:',
        '  - connect: { mqtt: 5 }',
        '  - publish: { topic: "devices/someone-else/telemetry", qos: 1, size: 10 }',
        '  - disconnect: {}',
        'thresholds: { maxLost: 0, maxErrorRatio: 0.1, storeWait: 5s }',
        ''
      ].join('\n')
    );
    const run = await runCli(['--scenario', scenarioFile, '--agents', '1']);
    expect(run.exitCode, run.output).toBe(1);
    expect(run.output).toMatch(/^FAILED: 20 devices/m);
    const report = await readReport(run);
    expect(report.passed).toBe(false);
    expect(report.acked).toBe(0);
    expect(Object.keys(report.errors).some((kind) => kind.startsWith('puback_error'))).toBe(true);
    expect(report.failures.join('\n')).toMatch(/errors for 20 devices/);
  }, 180_000);
});
