import { readdir, readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from '../contracts/scenario.ts';
import { arrivalOffsets } from './arrival-plan.ts';
import { scenarioErrors, where } from './errors.ts';
import { parseScenarioYaml } from './scenario-yaml.ts';
import { importTsungXml } from './tsung-import.ts';

export { estimateDurationMs } from './estimate-duration.ts';

// Where a run's scenario comes from: a shipped name (`smoke`), a YAML file, or a Tsung XML file.

export const SHIPPED_SCENARIOS_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

export interface LoadedScenario {
  scenario: Scenario;
  /** What a Tsung import could not map; empty for YAML. */
  unsupported: string[];
  notes: string[];
  /** The file it was read from, relative to the working directory when inside it. */
  source: string;
}

function isBareName(nameOrPath: string): boolean {
  return !/[\\/]/.test(nameOrPath) && extname(nameOrPath) === '';
}

function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
}

export async function shippedScenarioNames(): Promise<string[]> {
  const files = await readdir(SHIPPED_SCENARIOS_DIR);
  return files.filter((file) => file.endsWith('.yaml')).map((file) => file.slice(0, -'.yaml'.length)).sort();
}

async function readScenarioFile(path: string, asked: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const shipped = (await shippedScenarioNames()).join(', ');
    throw scenarioErrors.notFound(asked, shown(path), shipped, where(asked));
  }
}

/** Devices the phases never start are still provisioned: worth saying before a long run. */
/** A note when the phases start fewer devices than the fleet holds; the caller adds it once the fleet size is final. */
export function arrivalNotes(scenario: Scenario): string[] {
  const starting = arrivalOffsets(scenario.phases, 1, scenario.devices).length;
  if (starting === scenario.devices) return [];
  return [`the phases start ${starting} of the ${scenario.devices} devices; the other ${scenario.devices - starting} are provisioned but never connect`];
}

export async function loadScenario(nameOrPath: string): Promise<LoadedScenario> {
  const path = isBareName(nameOrPath) ? resolve(SHIPPED_SCENARIOS_DIR, `${nameOrPath}.yaml`) : resolve(nameOrPath);
  const source = shown(path);
  const extension = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.xml'].includes(extension)) throw scenarioErrors.unknownFormat(source, where(source));
  const text = await readScenarioFile(path, nameOrPath);
  if (extension === '.xml') {
    const imported = importTsungXml(text, source);
    return { ...imported, source };
  }
  const scenario = parseScenarioYaml(text, source);
  return { scenario, unsupported: [], notes: [], source };
}
