import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BulkResultLine, Scope } from '@plexus/contracts';
import { loadtestPlatformErrors } from './errors.ts';

export interface ProvisionFleetOptions {
  readonly controlPlaneUrl: string;
  /** A platform admin key: it creates the run's tenant. */
  readonly adminKey: string;
  readonly runId: string;
  readonly devices: number;
  /** Devices registered so far, every 10,000 and at the end. */
  readonly onProgress?: (registered: number) => void;
}

export interface ProvisionedFleet {
  readonly tenantId: string;
  /** The run's tenant key (FLEET_KEY_SCOPES): the loss check and app-side subscribers use it. */
  readonly apiKey: string;
  /** Device number i is ids[i] and presents tokens[i] as its MQTT password; both stay in memory. */
  readonly ids: string[];
  readonly tokens: string[];
}

/** Registering devices, reading their stored telemetry back, and subscribing as an app for end-to-end latency. */
export const FLEET_KEY_SCOPES: readonly Scope[] = ['registry:write', 'telemetry:read', 'mqtt:subscribe'];
/** Lines per chunk written to the upload: the registry writes in batches of 1,000. */
const LINES_PER_CHUNK = 1_000;
const PROGRESS_EVERY = 10_000;
const MAX_REPORTED_FAILURES = 5;
const TENANT_ID_MAX = 63;

/** The run's tenant: a slug of the run id (tenant ids are lower-case letters, digits and dashes). */
export function tenantIdForRun(runId: string): string {
  const slug = `lt-${runId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.slice(0, TENANT_ID_MAX).replace(/-+$/, '');
  return slug;
}

/** `d` and the index, zero-padded to the width of the fleet's largest index (at least 7 digits), so ids sort as numbers do. */
export function deviceIdFor(index: number, devices: number): string {
  return `d${String(index).padStart(Math.max(7, String(devices - 1).length), '0')}`;
}

/** Creates the run's tenant and key and registers its devices, keeping their tokens in memory only. */
export async function provisionFleet(options: ProvisionFleetOptions): Promise<ProvisionedFleet> {
  const tenantId = tenantIdForRun(options.runId);
  await postJson(options.controlPlaneUrl, '/v1/tenants', options.adminKey, { id: tenantId, name: `load test ${options.runId}` });
  const { key } = await postJson<{ key: string }>(options.controlPlaneUrl, `/v1/tenants/${tenantId}/api-keys`, options.adminKey, {
    name: `loadtest ${options.runId}`,
    scopes: FLEET_KEY_SCOPES
  });
  const ids = Array.from({ length: options.devices }, (_, index) => deviceIdFor(index, options.devices));
  const tokens = await registerDevices(options.controlPlaneUrl, key, ids, options.onProgress);
  return { tenantId, apiKey: key, ids, tokens };
}

async function postJson<T>(baseUrl: string, path: string, key: string, body: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body)
  });
  const text = await response.text();
  if (response.status !== 201) throw loadtestPlatformErrors.requestFailed('POST', path, response.status, text);
  return JSON.parse(text) as T;
}

function* ndjsonChunks(ids: readonly string[]): Generator<string> {
  for (let start = 0; start < ids.length; start += LINES_PER_CHUNK) {
    let chunk = '';
    for (let index = start; index < Math.min(start + LINES_PER_CHUNK, ids.length); index++) chunk += `{"id":"${ids[index]}"}\n`;
    yield chunk;
  }
}

/**
 * `POST /v1/devices/bulk` with the body streamed as it is written and the answer read line by line:
 * a million devices are never one string. Answers come in completion order, each with its line
 * number, so a token lands at its device's index whatever the order.
 */
function registerDevices(
  baseUrl: string,
  key: string,
  ids: readonly string[],
  onProgress: ProvisionFleetOptions['onProgress']
): Promise<string[]> {
  const tokens: string[] = new Array<string>(ids.length);
  const failures: string[] = [];
  let registered = 0;
  let failed = 0;
  let summary: { created: number; existing: number; failed: number } | undefined;
  const take = (line: string) => {
    if (line === '') return;
    const answer = JSON.parse(line) as BulkResultLine;
    if ('summary' in answer) {
      summary = answer.summary;
    } else if ('token' in answer) {
      tokens[answer.line - 1] = answer.token;
      registered++;
      if (registered % PROGRESS_EVERY === 0) onProgress?.(registered);
    } else {
      // An existing device keeps its token, which is not shown again: a run needs fresh ids.
      failed++;
      if (failures.length < MAX_REPORTED_FAILURES) failures.push(line);
    }
  };

  return new Promise((resolve, reject) => {
    const upload = request(`${baseUrl}/v1/devices/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' }
    });
    upload.on('error', reject);
    upload.on('response', (response) => {
      if (response.statusCode !== 200) {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (piece: string) => (text += piece));
        response.on('end', () => reject(loadtestPlatformErrors.requestFailed('POST', '/v1/devices/bulk', response.statusCode ?? 0, text)));
        return;
      }
      let pending = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        try {
          for (const line of lines) take(line);
        } catch (error) {
          response.destroy(error as Error);
        }
      });
      response.on('error', reject);
      response.on('end', () => {
        try {
          take(pending);
        } catch (error) {
          return reject(error);
        }
        onProgress?.(registered);
        if (registered === ids.length && summary !== undefined && summary.failed === 0) return resolve(tokens);
        const problems = [
          ...(failed > 0 ? [`${failed} lines failed or already existed, e.g. ${failures.join(' ')}`] : []),
          ...(summary === undefined ? ['the answer ended without its summary line'] : [`summary ${JSON.stringify(summary)}`])
        ];
        reject(loadtestPlatformErrors.registrationFailed(registered, ids.length, problems.join('; ')));
      });
    });
    pipeline(Readable.from(ndjsonChunks(ids)), upload).catch(reject);
  });
}
