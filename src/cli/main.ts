import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { EXIT_CODES } from '../shared/errors.ts';
import { registerCommands } from './commands/index.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('slipway')
  .description('A local cloud for AWS Lambda applications.')
  .version(pkg.version, '-V, --version')
  .showHelpAfterError('(slipway --help shows the commands; slipway <command> --help their options)')
  // Usage errors exit 2 (README, "Exit codes"); help and version exit 0.
  .exitOverride((err: CommanderError) => {
    const ok =
      err.code === 'commander.helpDisplayed' ||
      err.code === 'commander.version' ||
      err.code === 'commander.help';
    process.exit(ok ? EXIT_CODES.ok : EXIT_CODES.badInput);
  });
registerCommands(program);
await program.parseAsync();
