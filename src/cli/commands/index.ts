import type { Command } from 'commander';

/** Each command lives in its own file under cli/commands/ and exports `register(program)`. */
export function registerCommands(_program: Command): void {}
