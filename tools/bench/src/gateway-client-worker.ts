import { closeConnections, openConnections, type FleetOptions } from './gateway-connection-fleet.ts';
import type { DeviceCredentials, LeanMqttConnection } from './gateway-mqtt-client.ts';
import { runQos1Load } from './gateway-qos1-load.ts';

// One client process of the gateway bench: a process may hold at most ~20,000 open files, so the
// bench spreads its devices over several of these, each on its own loopback source address.
// The parent drives it over the IPC channel, one command at a time.

export type ClientCommand =
  | { readonly kind: 'connect'; readonly devices: readonly DeviceCredentials[]; readonly firstIndex: number; readonly options: FleetOptions }
  | { readonly kind: 'load'; readonly publishers: number; readonly messages: number; readonly window: number }
  | { readonly kind: 'close' };

export type ClientAnswer =
  | { readonly kind: 'connected'; readonly held: number }
  | { readonly kind: 'loaded'; readonly acknowledged: number; readonly seconds: number }
  | { readonly kind: 'closed' }
  | { readonly kind: 'failed'; readonly message: string };

const held: LeanMqttConnection[] = [];
let pinging: NodeJS.Timeout | undefined;

/**
 * Idle devices ping at half their keepalive, as clients do: connecting 100k devices through the
 * registry can take longer than 1.5 × keepalive, after which the server rightly drops the silent.
 */
function keepAlive(keepaliveSeconds: number): void {
  pinging ??= setInterval(() => {
    for (const connection of held) connection.ping();
  }, (keepaliveSeconds * 1000) / 2);
}

async function run(command: ClientCommand): Promise<ClientAnswer> {
  switch (command.kind) {
    case 'connect': {
      keepAlive(command.options.keepaliveSeconds);
      await openConnections(command.devices, command.firstIndex, command.options, (connection) => held.push(connection));
      return { kind: 'connected', held: held.length };
    }
    case 'load': {
      const result = await runQos1Load(held.slice(0, command.publishers), command.messages, command.window);
      return { kind: 'loaded', acknowledged: result.acknowledged, seconds: result.seconds };
    }
    case 'close':
      clearInterval(pinging);
      pinging = undefined;
      closeConnections(held);
      held.length = 0;
      return { kind: 'closed' };
  }
}

process.on('message', (command: ClientCommand) => {
  run(command).then(
    (answer) => process.send?.(answer),
    (error: unknown) => process.send?.({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies ClientAnswer)
  );
});
// The parent went away (finished or crashed): nothing is left to hold the connections for.
process.on('disconnect', () => process.exit(0));
