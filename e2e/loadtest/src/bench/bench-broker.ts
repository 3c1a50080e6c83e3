import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchErrors } from './errors.ts';

// The neutral broker both clients load: Debian's mosquitto, a single-threaded process on a free port.
// The Plexus gateway would make the broker the bottleneck and measure itself, not the clients.

const MOSQUITTO = '/usr/sbin/mosquitto';
const START_TIMEOUT_MS = 10_000;

export interface BenchBroker {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw benchErrors.brokerFailed(0, 'the kernel gave no free port');
  return address.port;
}

/** One mosquitto on a free loopback port, with the open-file limit it inherits. */
export async function startBroker(): Promise<BenchBroker> {
  if (!existsSync(MOSQUITTO)) throw benchErrors.toolMissing(MOSQUITTO, 'sudo apt-get install -y mosquitto');
  const directory = await mkdtemp(join(tmpdir(), 'plexus-bench-mosquitto-'));
  const port = await freePort();
  const configPath = join(directory, 'mosquitto.conf');
  // No connection cap, and clients may keep every QoS 1 message in flight: the broker must not
  // be what paces either client.
  await writeFile(configPath, `listener ${port} 127.0.0.1\nallow_anonymous true\nmax_connections -1\nmax_inflight_messages 0\n`);
  const child = spawn(MOSQUITTO, ['-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(directory, { recursive: true, force: true });
  };
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(benchErrors.brokerFailed(port, `no "running" line within ${START_TIMEOUT_MS} ms: ${output}`)), START_TIMEOUT_MS);
      const watch = (chunk: Buffer): void => {
        output += chunk.toString();
        if (!output.includes(' running')) return;
        clearTimeout(timer);
        resolve();
      };
      child.stdout?.on('data', watch);
      child.stderr?.on('data', watch);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(benchErrors.brokerFailed(port, `exited with ${code}: ${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  return { port, pid: child.pid as number, stop };
}
