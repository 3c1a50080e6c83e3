import { Compile } from 'typebox/compile';
import { Scenario } from '../contracts/scenario.ts';
import { scenarioErrors, where } from './errors.ts';

// The last check on every scenario, whichever format it came from: the engine runs only what the
// contract's schema accepts. The readers catch authoring mistakes first with the author's paths;
// this catches what they let through, named by the normalized shape's path.

const validator = Compile(Scenario);

function dottedPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
}

export function validateScenario(candidate: Scenario, source: string): Scenario {
  if (validator.Check(candidate)) return candidate;
  const [first] = validator.Errors(candidate);
  const path = dottedPath(first?.instancePath ?? '');
  throw scenarioErrors.invalid(source, path || 'scenario', first?.message ?? 'does not match the scenario schema', where(source, path));
}
