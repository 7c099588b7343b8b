/** `slipway build`: load the project and package its functions and layers (src/package/). */
import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import type { BuildConfig } from '../config/index.ts';
import { buildProject, type BuildResult } from '../package/index.ts';
import { SlipwayError } from '../shared/errors.ts';
import { defaultStateDir, loadAppProject } from './project.ts';
import type { Reporter } from './reporter.ts';
import { join } from 'node:path';

export interface AppBuildResult extends BuildResult {
  outDir: string;
  templatePath: string;
  /** The stack name the template's generated function names use. */
  stackName: string;
}

export async function buildApp(config: Readonly<BuildConfig>, reporter: Reporter): Promise<AppBuildResult> {
  const { project } = await loadAppProject(config);
  for (const w of project.warnings) reporter.warn(w);
  const outDir = config.out ? resolve(config.cwd, config.out) : join(defaultStateDir(project), 'build');
  let wheelhouse: string | undefined;
  if (config.wheelhouse !== undefined) {
    wheelhouse = resolve(config.cwd, config.wheelhouse);
    if (!existsSync(wheelhouse) || !statSync(wheelhouse).isDirectory())
      throw new SlipwayError('WheelhouseNotFound', `--wheelhouse ${config.wheelhouse}: no such folder`, {
        hint: 'point --wheelhouse at a folder of .whl files (python3 -m pip wheel -w DIR -r requirements.txt makes one)',
      });
  }
  const result = await buildProject({
    project,
    outDir,
    logicalIds: config.logicalIds,
    wheelhouse,
    force: config.force,
    sourceDateEpoch: config.sourceDateEpoch,
    includeTests: config.includeTests,
    sourcemap: config.sourcemap,
    env: config.env,
    progress: (message) => reporter.info(message),
    warn: (message) => reporter.warn(message),
  });
  return { ...result, outDir, templatePath: project.templatePath, stackName: project.stackName };
}
