import type { Command } from 'commander';
import { register as registerEvents } from './events.ts';

/** Each command lives in its own file under cli/commands/ and exports `register(program)`. */
export function registerCommands(program: Command): void {
  registerEvents(program);
}
