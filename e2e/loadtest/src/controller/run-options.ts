import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { controllerErrors } from './errors.ts';

export interface PlatformTarget {
  readonly controlPlane: string;
  readonly dataPlane: string;
  readonly mqtt: string;
}

export interface RunOptions {
  /** A shipped scenario's name (`smoke`) or a path to a YAML or Tsung XML file. */
  readonly scenario: string;
  /** Overrides the scenario's fleet size (phases keep their rates and are capped by it). */
  readonly devices: number | undefined;
  /** A running platform to load; without it the run uses the one on the default ports or starts one. */
  readonly target: PlatformTarget | undefined;
  readonly adminKey: string | undefined;
  /** Agents this controller starts here; undefined: one per ~18,000 devices. */
  readonly localAgents: number | undefined;
  /** Agents expected from other hosts (`loadtest agent --controller URL`). */
  readonly remoteAgents: number;
  readonly host: string;
  readonly port: number;
  readonly outDir: string;
}

const usage = `usage: loadtest run [--scenario smoke|default|million|seed|FILE.yaml|FILE.xml] [--devices N]
         [--agents N] [--remote-agents N] [--host 127.0.0.1] [--port 8091] [--out dist/loadtest]
         [--target-control-plane URL --target-data-plane URL --target-mqtt mqtt://HOST:PORT] [--admin-key KEY]
       loadtest agent --controller URL [--source-addresses A,B,...]
       loadtest preflight [--scenario NAME] [--devices N]`;

export function usageText(): string {
  return usage;
}

/** Parses `loadtest run` flags; a bad one ends with an error naming it. */
export function parseRunOptions(argv: readonly string[], root: string): RunOptions {
  const flags = new Map<string, string>();
  for (let index = 0; index < argv.length; index += 2) {
    const name = argv[index] as string;
    const value = argv[index + 1];
    if (!name.startsWith('--') || value === undefined) throw controllerErrors.badOption(name, `expected --name value\n${usage}`);
    flags.set(name.slice(2), value);
  }
  const known = ['scenario', 'devices', 'agents', 'remote-agents', 'host', 'port', 'out', 'target-control-plane', 'target-data-plane', 'target-mqtt', 'admin-key'];
  for (const name of flags.keys()) if (!known.includes(name)) throw controllerErrors.badOption(`--${name}`, `unknown option\n${usage}`);

  const targets = ['target-control-plane', 'target-data-plane', 'target-mqtt'].map((name) => flags.get(name));
  const given = targets.filter((value) => value !== undefined).length;
  if (given !== 0 && given !== 3) throw controllerErrors.badOption('--target-*', 'give all three of --target-control-plane, --target-data-plane and --target-mqtt');
  const [controlPlane, dataPlane, mqtt] = targets.map((value, index) => (value === undefined ? undefined : url(value, ['--target-control-plane', '--target-data-plane', '--target-mqtt'][index] as string)));

  return {
    scenario: scenarioPath(flags.get('scenario') ?? 'default', root),
    devices: optionalCount(flags, 'devices', 1),
    target: controlPlane === undefined ? undefined : { controlPlane, dataPlane: dataPlane as string, mqtt: mqtt as string },
    adminKey: flags.get('admin-key') ?? process.env['PLEXUS_ADMIN_KEY'],
    localAgents: optionalCount(flags, 'agents', 0),
    remoteAgents: optionalCount(flags, 'remote-agents', 0) ?? 0,
    host: flags.get('host') ?? '127.0.0.1',
    port: optionalCount(flags, 'port', 0) ?? 8091,
    outDir: flags.get('out') ?? `${root}/dist/loadtest`
  };
}

/**
 * A shipped scenario's name stays a name; a relative path is taken from where the command was
 * typed (npm and Nx run scripts from the project's folder, and say where in INIT_CWD), else
 * from the repository root.
 */
function scenarioPath(value: string, root: string): string {
  if (!/[/.]/.test(value) || isAbsolute(value)) return value;
  const typedFrom = resolve(process.env['INIT_CWD'] ?? process.cwd(), value);
  return existsSync(typedFrom) ? typedFrom : resolve(root, value);
}

function optionalCount(flags: Map<string, string>, name: string, minimum: number): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < minimum) throw controllerErrors.badOption(`--${name}`, `expected a whole number ≥ ${minimum}, got '${raw}'`);
  return value;
}

function url(raw: string, flag: string): string {
  try {
    return new URL(raw).toString().replace(/\/$/, '');
  } catch {
    throw controllerErrors.badOption(flag, `'${raw}' is not a URL`);
  }
}
