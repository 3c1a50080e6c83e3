import { printFailure } from '@plexus/errors';
import { repoRoot } from '@plexus/engines';
import { preflightLines, preflightPlanOf, runLoadTest } from './controller/load-run.ts';
import { runPreflight } from './platform/preflight.ts';
import { loadScenario } from './scenario/load-scenario.ts';
import { parseRunOptions, usageText } from './controller/run-options.ts';
import { controllerErrors } from './controller/errors.ts';

// `nx e2e loadtest` (or `node e2e/loadtest/src/main.ts run …`): one run, then the report's path
// and an exit code that says whether it met the scenario's thresholds.

async function run(argv: readonly string[]): Promise<number> {
  const root = repoRoot();
  const options = parseRunOptions(argv, root);
  const interrupt = new AbortController();
  const onSignal = (): void => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const outcome = await runLoadTest(options, root, { log: (line) => console.log(line), interrupted: interrupt.signal });
  const { report } = outcome;
  console.log('');
  console.log(
    `${report.passed ? 'PASSED' : 'FAILED'}: ${report.devices.toLocaleString('en-US')} devices, peak ${report.peakConnected.toLocaleString('en-US')} connected, ` +
      `${report.acked.toLocaleString('en-US')} acknowledged, ${report.stored.toLocaleString('en-US')} stored, ${report.lost} lost, ${report.durationSec} s`
  );
  for (const failure of report.failures) console.log(`  - ${failure}`);
  console.log(`report: ${outcome.reportDir}/report.html (and report.json)`);
  return report.passed ? 0 : 1;
}

/** Checks this host for a scenario without changing anything, e.g. before a million-device run. */
async function preflight(argv: readonly string[]): Promise<number> {
  const options = parseRunOptions(argv, repoRoot());
  const { scenario } = await loadScenario(options.scenario);
  const sized = options.devices === undefined ? scenario : { ...scenario, devices: options.devices };
  const result = await runPreflight(preflightPlanOf(sized, options), { fix: false });
  for (const line of preflightLines(result)) console.log(line);
  console.log(result.ok ? 'preflight: this host can run it' : 'preflight: fix the FAIL lines first (a root run writes the kernel settings itself)');
  return result.ok ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return run(rest);
    case 'preflight':
      return preflight(rest);
    case 'agent': {
      const { runAgent } = await import('./agent/agent-main.ts');
      return runAgent(rest);
    }
    case '-h':
    case '--help':
    case 'help':
      console.log(usageText());
      return 0;
    default:
      throw controllerErrors.badOption(command ?? '(none)', `unknown command\n${usageText()}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    printFailure('loadtest', error);
    process.exitCode = 2;
  }
);
