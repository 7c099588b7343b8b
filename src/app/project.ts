/** Loads the project and the env.json overrides a command runs with. */
import { join } from 'node:path';
import { loadProject } from '../project/load.ts';
import { environmentFor, parseEnvVarsFile } from '../project/env-vars.ts';
import { parseParameterOverrides } from '../project/parameters.ts';
import type { FunctionModel, Project } from '../project/model.ts';
import type { CommonConfig } from '../config/index.ts';

/** Where a project's state and scratch files live unless --state-dir says otherwise: `.slipway/` beside the template. */
export function defaultStateDir(project: Project): string {
  return join(project.projectDir, '.slipway');
}

export interface LoadedProject {
  project: Project;
  /** Per-function environment overrides from --env-vars (added after the template's Environment). */
  envOverrides: (fn: FunctionModel) => Record<string, string>;
}

/** `localEndpoint`: the running edge's URL, so queue URLs in the template point at it (dev). */
export async function loadAppProject(config: CommonConfig, localEndpoint?: string): Promise<LoadedProject> {
  const project = await loadProject({
    template: config.template,
    cwd: config.cwd,
    region: config.region,
    accountId: config.accountId,
    stackName: config.stackName,
    parameterOverrides: parseParameterOverrides(config.parameterOverrides),
    localEndpoint,
  });
  const envFile = config.envVarsFile === undefined ? undefined : parseEnvVarsFile(config.envVarsFile);
  return { project, envOverrides: (fn) => (envFile ? environmentFor(fn, envFile) : {}) };
}
