import { Command } from 'commander';
import { registerCommands } from './commands/index.ts';

const program = new Command('slipway')
  .description('A local cloud for AWS Lambda applications.')
  .showHelpAfterError();
registerCommands(program);
await program.parseAsync();
