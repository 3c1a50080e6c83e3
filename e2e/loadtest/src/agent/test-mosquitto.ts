import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { within } from '@plexus/test-harness';

// The Debian mosquitto broker as a real MQTT peer for the agent's protocol tests: a fresh
// process on a free loopback port per test file, stopped with the file.

export interface TestMosquitto {
  readonly port: number;
  stop(): Promise<void>;
}

const MOSQUITTO = '/usr/sbin/mosquitto';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from the kernel');
  return address.port;
}

export async function startMosquitto(): Promise<TestMosquitto> {
  const port = await freePort();
  const directory = await mkdtemp(join(tmpdir(), 'plexus-mosquitto-'));
  const configPath = join(directory, 'mosquitto.conf');
  await writeFile(configPath, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 100000\n`);
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const running = new Promise<void>((resolve, reject) => {
    const watch = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes(' running')) resolve();
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${output}`)));
  });
  await within(running, 10_000, 'mosquitto start');
  return {
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await within(exited, 10_000, 'mosquitto exit');
      }
      await rm(directory, { recursive: true, force: true });
    }
  };
}
