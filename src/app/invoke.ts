/** `slipway invoke`: run one function once, like `sam local invoke`, and dispose everything. */
import { createRuntime, resolveCodeArchives } from '../runtime/index.ts';
import type { InvokeConfig } from '../config/index.ts';
import type { InvokeResult } from '../runtime/types.ts';
import { SlipwayError } from '../shared/errors.ts';
import { defaultStateDir, loadAppProject } from './project.ts';
import { checkHandlerFile } from './preflight.ts';
import type { Reporter } from './reporter.ts';

export async function invokeOnce(
  config: Readonly<InvokeConfig>,
  payload: Buffer,
  reporter: Reporter,
): Promise<InvokeResult> {
  const { project, envOverrides } = await loadAppProject(config);
  for (const w of project.warnings) reporter.warn(w);
  const fn =
    project.functions.get(config.functionId) ??
    [...project.functions.values()].find(
      (f) => f.functionName === config.functionId || f.arn === config.functionId,
    );
  if (!fn) {
    const known = [...project.functions.keys()];
    throw new SlipwayError(
      'FunctionNotFound',
      `no function '${config.functionId}' in ${project.templatePath}`,
      {
        where: { file: project.templatePath },
        hint: known.length
          ? `functions in this template: ${known.join(', ')}`
          : 'this template declares no function',
      },
    );
  }
  checkHandlerFile(fn, project.projectDir);
  const stateDir = defaultStateDir(project);
  const [runnable] = await resolveCodeArchives([fn], stateDir);
  const runtime = createRuntime({
    region: project.region,
    accountId: project.accountId,
    logSink: (record) => reporter.log(record),
    transport: config.transport,
    envOverrides,
    stateDir,
    debugPort: config.debugPort,
    warn: (message) => reporter.warn(message),
  });
  try {
    runtime.setFunctions([runnable ?? fn]);
    return await runtime.invoke(fn.logicalId, { payload, invocationType: 'RequestResponse' });
  } finally {
    await runtime.dispose();
  }
}
