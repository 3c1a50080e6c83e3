import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientAnswer, ClientCommand } from './gateway-client-worker.ts';
import type { FleetOptions } from './gateway-connection-fleet.ts';
import type { DeviceCredentials } from './gateway-mqtt-client.ts';

const WORKER_PATH = fileURLToPath(new URL('./gateway-client-worker.ts', import.meta.url));

export type ClientFleetOptions = Omit<FleetOptions, 'localAddresses'>;

/**
 * Connections per source address. A client binds its source address before connecting, and the
 * kernel then looks for a free port among that address's ports without knowing the destination:
 * the fuller the range, the longer each search (it cost milliseconds of client CPU per connect at
 * 18,000 on one address). Sockets of an earlier run still in TIME_WAIT occupy ports too.
 */
const CONNECTIONS_PER_ADDRESS = 4000;

interface ClientProcess {
  readonly child: ChildProcess;
  readonly localAddresses: readonly string[];
  /** The devices this process connects, and the index of its first one in the whole fleet. */
  readonly devices: readonly DeviceCredentials[];
  readonly firstIndex: number;
  /** How many of `devices` it has connected so far. */
  connected: number;
}

/** The client processes of one bench run, each holding a contiguous share of the devices. */
export class ClientFleet {
  readonly #processes: ClientProcess[];

  private constructor(processes: ClientProcess[]) {
    this.#processes = processes;
  }

  /**
   * Forks ⌈devices / perProcess⌉ client processes. The k-th binds source addresses 127.`run`.k.x,
   * so a run does not meet the TIME_WAIT sockets of an earlier run.
   */
  static start(devices: readonly DeviceCredentials[], perProcess: number, run: number): ClientFleet {
    const processes: ClientProcess[] = [];
    for (let firstIndex = 0, k = 0; firstIndex < devices.length; firstIndex += perProcess, k++) {
      const child = fork(WORKER_PATH, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const share = devices.slice(firstIndex, firstIndex + perProcess);
      const localAddresses = Array.from({ length: Math.ceil(share.length / CONNECTIONS_PER_ADDRESS) }, (_, x) => `127.${run}.${k}.${x + 1}`);
      processes.push({ child, localAddresses, devices: share, firstIndex, connected: 0 });
    }
    return new ClientFleet(processes);
  }

  get pids(): Record<string, number> {
    return Object.fromEntries(this.#processes.map((client, k) => [`client-${k}`, client.child.pid as number]));
  }

  /** Connects the next `count` devices of each process's share (all processes at once). */
  async connectNext(countPerProcess: number, options: ClientFleetOptions): Promise<number> {
    const answers = await Promise.all(
      this.#processes.map((client) => {
        const devices = client.devices.slice(client.connected, client.connected + countPerProcess);
        const command: ClientCommand = { kind: 'connect', devices, firstIndex: client.firstIndex + client.connected, options: { ...options, localAddresses: client.localAddresses } };
        client.connected += devices.length;
        return ask(client.child, command);
      })
    );
    return answers.reduce((sum, answer) => sum + (answer.kind === 'connected' ? answer.held : 0), 0);
  }

  /** QoS 1 load from the first process's first `publishers` connections. */
  async load(publishers: number, messages: number, window: number): Promise<{ acknowledged: number; seconds: number }> {
    const answer = await ask((this.#processes[0] as ClientProcess).child, { kind: 'load', publishers, messages, window });
    if (answer.kind !== 'loaded') throw new Error(`unexpected answer ${answer.kind}`);
    return { acknowledged: answer.acknowledged, seconds: answer.seconds };
  }

  async closeConnections(): Promise<void> {
    await Promise.all(this.#processes.map((client) => ask(client.child, { kind: 'close' })));
    for (const client of this.#processes) client.connected = 0;
  }

  /** Ends every client process. */
  async stop(): Promise<void> {
    await Promise.all(
      this.#processes.map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.child.exitCode !== null || client.child.signalCode !== null) return resolve();
            client.child.once('exit', () => resolve());
            client.child.kill('SIGTERM');
          })
      )
    );
  }
}

function ask(child: ChildProcess, command: ClientCommand): Promise<ClientAnswer> {
  return new Promise((resolve, reject) => {
    const onMessage = (answer: ClientAnswer) => {
      child.off('exit', onExit);
      if (answer.kind === 'failed') reject(new Error(`client process ${child.pid}: ${answer.message}`));
      else resolve(answer);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      child.off('message', onMessage);
      reject(new Error(`client process ${child.pid} exited (${signal ?? code}) during '${command.kind}'`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
    child.send(command);
  });
}
