import { printFailure } from '@plexus/errors';
import { platformErrors } from './errors.ts';
import { startCommand } from './start-command.ts';
import { testCommand } from './test-command.ts';

const commands: Readonly<Record<string, () => Promise<number>>> = { start: startCommand, test: testCommand };

async function main(argv: readonly string[]): Promise<number> {
  const name = argv[0] ?? '';
  const command = commands[name];
  if (command === undefined) throw platformErrors.unknownCommand(name);
  return command();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    printFailure('plexus', error);
    process.exitCode = 1;
  }
);
