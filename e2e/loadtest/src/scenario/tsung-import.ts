import type { Scenario } from '../contracts/scenario.ts';
import { defaultMaxDurationMs } from './estimate-duration.ts';
import { scenarioErrors, where } from './errors.ts';
import { nameFromSource } from './scenario-name.ts';
import { THRESHOLD_DEFAULTS } from './scenario-defaults.ts';
import { newImportLog, type TsungImportLog } from './tsung-import-log.ts';
import { readTsungLoad } from './tsung-load.ts';
import { overrideThinkTimes, readTsungOptions } from './tsung-options.ts';
import { sessionSteps } from './tsung-session.ts';
import { parseXml, type XmlElement } from './tsung-xml.ts';
import { validateScenario } from './validate-scenario.ts';

// A Tsung file written for its MQTT plugin, run by the load suite's engine. What maps is mapped;
// what does not is listed in `unsupported` with its element path, never dropped silently.

export interface TsungImport {
  scenario: Scenario;
  unsupported: string[];
  notes: string[];
}

function only(root: XmlElement, name: string, source: string): XmlElement {
  const found = root.children.filter((child) => child.name === name);
  if (found.length !== 1) throw scenarioErrors.notTsung(source, `<tsung> needs exactly one <${name}>`, where(source, `tsung/${name}`));
  return found[0] as XmlElement;
}

function describeHosts(element: XmlElement, attribute: string): string {
  return element.children.map((child) => `${child.attributes[attribute] ?? '?'}${child.attributes['port'] ? `:${child.attributes['port']}` : ''}`).join(', ');
}

/** The session Tsung would start most often; the others are listed, since a run has one session. */
function chooseSession(sessions: XmlElement, source: string, log: TsungImportLog): XmlElement {
  const candidates = sessions.children.filter((child) => child.name === 'session' && child.attributes['type'] === 'ts_mqtt');
  const chosen = candidates.reduce<XmlElement | undefined>(
    (best, session) => (best === undefined || Number(session.attributes['probability'] ?? 0) > Number(best.attributes['probability'] ?? 0) ? session : best),
    undefined
  );
  if (!chosen) throw scenarioErrors.noMqttSession(source, where(source, sessions.path));
  for (const other of sessions.children) {
    if (other === chosen) continue;
    const share = other.attributes['probability'] ?? '?';
    const kind = other.attributes['type'] === 'ts_mqtt' ? '' : ` (type ${other.attributes['type'] ?? 'unset'})`;
    log.unsupported.push(`${other.path}${kind}: not run; every device runs "${chosen.attributes['name'] ?? ''}" instead of ${share}% of them running this one`);
  }
  return chosen;
}

function readInformation(information: XmlElement | undefined): { name?: string; description?: string } {
  const text = (name: string) => information?.children.find((child) => child.name === name)?.text.trim() || undefined;
  const name = text('name');
  const description = text('description');
  return { ...(name ? { name } : {}), ...(description ? { description } : {}) };
}

function logTopLevel(root: XmlElement, log: TsungImportLog): void {
  for (const child of root.children) {
    if (child.name === 'clients') {
      log.notes.push(`${child.path}: ${describeHosts(child, 'host')} not used; the load suite places its agents itself (local processes, or --controller on other hosts)`);
    } else if (child.name === 'servers') {
      log.notes.push(`${child.path}: ${describeHosts(child, 'host')} not used; the run targets the platform it starts, or the one its --target-* options name`);
    } else if (child.name === 'monitoring') {
      log.unsupported.push(`${child.path}: not mapped; the report carries the CPU and memory of the agents and platform processes`);
    } else if (!['information', 'load', 'options', 'sessions'].includes(child.name)) {
      log.unsupported.push(`${child.path}: <${child.name}> is not mapped`);
    }
  }
}

export function importTsungXml(text: string, source: string): TsungImport {
  const root = parseXml(text, source);
  if (root.name !== 'tsung') throw scenarioErrors.notTsung(source, `the root element is <${root.name}>, not <tsung>`, where(source, root.path));
  const log = newImportLog();
  logTopLevel(root, log);
  const load = readTsungLoad(only(root, 'load', source), source, log);
  const session = chooseSession(only(root, 'sessions', source), source, log);
  const options = readTsungOptions(root.children.find((child) => child.name === 'options'), log);
  const written = sessionSteps(session.children, log);
  const steps = options.thinkTimeOverride ? overrideThinkTimes(written, options.thinkTimeOverride) : written;
  if (steps.length === 0) throw scenarioErrors.notTsung(source, 'the MQTT session has no request the load suite can run', where(source, session.path));
  const information = readInformation(root.children.find((child) => child.name === 'information'));
  const planned = {
    name: information.name ?? nameFromSource(source),
    description: information.description ?? `Imported from the Tsung file ${source}`,
    devices: load.devices,
    phases: load.phases,
    session: steps,
    thresholds: THRESHOLD_DEFAULTS
  };
  const scenario = validateScenario({ ...planned, maxDurationMs: load.maxDurationMs ?? defaultMaxDurationMs(planned) }, source);
  return { scenario, unsupported: log.unsupported, notes: log.notes };
}
