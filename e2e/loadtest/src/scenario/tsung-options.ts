import type { SessionStep, ThinkStep } from '../contracts/scenario.ts';
import type { TsungImportLog } from './tsung-import-log.ts';
import type { XmlElement } from './tsung-xml.ts';

// Tsung's <options>. One changes what the session does (a thinktime that overrides every think
// time); a few are about the local ports the load suite already manages its own way; the rest
// tune Tsung itself and are listed.

type ThinkTime = Pick<ThinkStep, 'meanMs' | 'distribution'>;

const PORT_OPTIONS = new Set(['ports_range', 'ip_bind_address_no_port', 'tcp_reuseaddr', 'ip_transparent']);

export interface TsungOptions {
  /** `<option name="thinktime" value random override="true">`: every think time becomes this. */
  thinkTimeOverride: ThinkTime | undefined;
}

function thinkTimeOption(option: XmlElement, log: TsungImportLog): ThinkTime | undefined {
  const value = Number(option.attributes['value']);
  if (option.attributes['override'] !== 'true' || !Number.isFinite(value) || value < 0) {
    log.unsupported.push(`${option.path}: only a thinktime with a number value and override="true" is mapped`);
    return undefined;
  }
  return { meanMs: Math.round(value * 1000), distribution: option.attributes['random'] === 'true' ? 'exponential' : 'fixed' };
}

export function readTsungOptions(options: XmlElement | undefined, log: TsungImportLog): TsungOptions {
  let thinkTimeOverride: ThinkTime | undefined;
  for (const option of options?.children ?? []) {
    const name = option.attributes['name'] ?? '';
    if (option.name === 'option' && name === 'thinktime') thinkTimeOverride = thinkTimeOption(option, log);
    else if (option.name === 'option' && PORT_OPTIONS.has(name)) {
      log.notes.push(`${option.path}: not used; agents spread connections over many source addresses so no address runs out of ports`);
    } else log.unsupported.push(`${option.path}: Tsung option not mapped`);
  }
  return { thinkTimeOverride };
}

export function overrideThinkTimes(steps: readonly SessionStep[], thinkTime: ThinkTime): SessionStep[] {
  return steps.map((step) => {
    if (step.kind === 'think') return { ...step, ...thinkTime };
    if (step.kind === 'loop') return { ...step, steps: overrideThinkTimes(step.steps, thinkTime) };
    return step;
  });
}
