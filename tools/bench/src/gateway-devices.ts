import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DeviceCredentials } from './gateway-mqtt-client.ts';

const BULK_CHUNK = 1000;

export function deviceIdOf(index: number): string {
  return `dev-${index.toString().padStart(7, '0')}`;
}

function* ndjsonChunks(count: number): Generator<string> {
  for (let start = 0; start < count; start += BULK_CHUNK) {
    let chunk = '';
    for (let index = start; index < Math.min(start + BULK_CHUNK, count); index++) chunk += `{"id":"${deviceIdOf(index)}","tags":["bench"]}\n`;
    yield chunk;
  }
}

/**
 * Registers `count` devices in the tenant through `POST /v1/devices/bulk` and returns what each
 * presents on CONNECT: client id and user name are the device id, the password its token.
 */
export function registerDevices(controlPlaneUrl: string, apiKey: string, count: number): Promise<DeviceCredentials[]> {
  return new Promise((resolve, reject) => {
    const req = request(`${controlPlaneUrl}/v1/devices/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-ndjson' }
    });
    req.on('error', reject);
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`POST /v1/devices/bulk answered ${res.statusCode}`));
      }
      const devices: DeviceCredentials[] = [];
      const problems: string[] = [];
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') continue;
          const answer = JSON.parse(line) as { id?: string; token?: string; error?: unknown };
          if (answer.id !== undefined && answer.token !== undefined) devices.push({ clientId: answer.id, username: answer.id, password: answer.token });
          else if (answer.error !== undefined && problems.length < 3) problems.push(line);
        }
      });
      res.on('error', reject);
      res.on('end', () => {
        if (devices.length !== count) reject(new Error(`registered ${devices.length} of ${count} devices: ${problems.join(' ')}`));
        else resolve(devices);
      });
    });
    pipeline(Readable.from(ndjsonChunks(count)), req).catch(reject);
  });
}
