import { setTimeout as delay } from 'node:timers/promises';
import { describeExit, freePort, type SupervisedChild } from '@plexus/engines';
import { startAppProcess } from '@plexus/test-harness';
import { deviceIdOf } from './gateway-devices.ts';
import { expectedPointsOf } from './ingest-records.ts';

export interface DataPlaneProcessOptions {
  readonly env: Readonly<Record<string, string>>;
  /** Node options for the data plane alone (`--cpu-prof …`), passed as its NODE_OPTIONS. */
  readonly nodeOptions: string;
}

export interface DataPlaneProcess {
  readonly url: string;
  readonly pid: number;
  /** A counter or gauge without labels from its `/metrics`. */
  metric(name: string): Promise<number>;
  /** SIGTERM (the drain), SIGKILL after a minute; resolves to how it ended. */
  stop(): Promise<string>;
}

/** Time for a profiled process to write its profile on the way out. */
const STOP_GRACE_MS = 60_000;
const COUNTS_BATCH = 10_000;

/** The real data-plane process, as `./plexus start` runs it, on a free port. */
export async function startDataPlaneProcess(options: DataPlaneProcessOptions): Promise<DataPlaneProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: SupervisedChild = await startAppProcess({
    name: 'data plane',
    entry: 'apps/data-plane/src/main.ts',
    env: { ...options.env, DATA_PLANE_PORT: String(port), NODE_OPTIONS: options.nodeOptions },
    readyUrl: `${url}/readyz`,
    stopGraceMs: STOP_GRACE_MS
  });
  return {
    url,
    pid: child.pid,
    async metric(name) {
      const response = await fetch(`${url}/metrics`);
      const text = await response.text();
      const match = new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)$`, 'm').exec(text);
      if (match === null) throw new Error(`the data plane reports no ${name}`);
      return Number(match[1]);
    },
    async stop() {
      await child.stop();
      return describeExit((await child.exited));
    }
  };
}

export interface StoredPointsCheck {
  readonly stored: number;
  /** Devices whose count differs from what was sent to them. */
  readonly devicesOff: number;
}

/** `POST /v1/telemetry/counts` for every device, 10,000 a call, against what each was sent. */
export async function checkStoredPoints(
  dataPlaneUrl: string,
  apiKey: string,
  run: { readonly points: number; readonly deviceCount: number; readonly from: number; readonly to: number }
): Promise<StoredPointsCheck> {
  let stored = 0;
  let devicesOff = 0;
  for (let first = 0; first < run.deviceCount; first += COUNTS_BATCH) {
    const deviceIds = Array.from({ length: Math.min(COUNTS_BATCH, run.deviceCount - first) }, (_unused, offset) => deviceIdOf(first + offset));
    const response = await fetch(`${dataPlaneUrl}/v1/telemetry/counts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceIds, from: String(run.from), to: String(run.to) })
    });
    if (!response.ok) throw new Error(`POST /v1/telemetry/counts answered ${response.status}: ${await response.text()}`);
    const { counts } = (await response.json()) as { counts: { deviceId: string; count: number }[] };
    counts.forEach(({ count }, offset) => {
      stored += count;
      if (count !== expectedPointsOf(first + offset, run.points, run.deviceCount)) devicesOff++;
    });
  }
  return { stored, devicesOff };
}

export interface PollOutcome {
  readonly reached: boolean;
  readonly points: number;
}

/**
 * Reads `plexus_ingest_points_total` every `intervalMs` until it reaches `target` or the deadline
 * passes; `onSample` runs right after each reading so CPU readings line up with it.
 */
export async function pollPoints(dataPlane: DataPlaneProcess, target: number, intervalMs: number, deadlineMs: number, onSample: (points: number) => void): Promise<PollOutcome> {
  const deadline = performance.now() + deadlineMs;
  for (;;) {
    const points = await dataPlane.metric('plexus_ingest_points_total');
    onSample(points);
    if (points >= target) return { reached: true, points };
    if (performance.now() >= deadline) return { reached: false, points };
    await delay(intervalMs);
  }
}
