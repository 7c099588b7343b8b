import type { Command } from 'commander';
import { register as registerBuild } from './build.ts';
import { register as registerDeploy } from './deploy.ts';
import { register as registerDev } from './dev.ts';
import { register as registerEvents } from './events.ts';
import { register as registerInvoke } from './invoke.ts';

/** Each command lives in its own file under cli/commands/ and exports `register(program)`. */
export function registerCommands(program: Command): void {
  registerDev(program);
  registerInvoke(program);
  registerEvents(program);
  registerBuild(program);
  registerDeploy(program);
}
