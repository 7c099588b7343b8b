/**
 * `slipway dev`: the composition root of a running instance. Loads the project, starts the runtime,
 * the API Gateway front end and the edge, watches code and template, and owns disposal.
 */
import { codeArchivePaths, createRuntime, resolveCodeArchives, type Runtime } from '../runtime/index.ts';
import { watchFunctionCode } from '../runtime/reload.ts';
import { startApiGateway, type ApiGatewayHandle } from '../apigateway/index.ts';
import { SlipwayError, formatError } from '../shared/errors.ts';
import type { DevConfig } from '../config/index.ts';
import type { FunctionModel, Project } from '../project/model.ts';
import type { LambdaService } from '../services/lambda/index.ts';
import { defaultStateDir, loadAppProject, type LoadedProject } from './project.ts';
import type { Reporter } from './reporter.ts';
import { checkHandlerFile } from './preflight.ts';
import { relative, resolve } from 'node:path';
import { watchTemplate } from './template-watch.ts';
import { startCloud } from './cloud.ts';
import { provisionProject, seedBuckets, seedBucketsFromTemplate } from './resources.ts';

export interface DevInstance {
  project: Project;
  edgeUrl: string;
  apiUrl: string | undefined;
  routeTable: string;
  readyMs: number;
  runtime: Runtime;
  close(): Promise<void>;
}

/**
 * Hands the project's functions to the runtime (`.zip` code unpacked first), with what the Lambda
 * API deployed (code and configuration of template functions, created functions, versions). A
 * function that cannot start is reported; the others keep running (invoking it reports the same
 * error). Returns the functions handed over.
 */
async function setFunctions(
  runtime: Runtime,
  project: Project,
  lambda: LambdaService,
  reporter: Reporter,
): Promise<FunctionModel[]> {
  const template = await resolveCodeArchives([...project.functions.values()], defaultStateDir(project));
  const functions = lambda.functionsFor(template);
  try {
    runtime.setFunctions(functions);
  } catch (err) {
    if (!(err instanceof SlipwayError)) throw err;
    reporter.warn(formatError(err));
  }
  return functions;
}

/** Template functions whose source folders reload on save (not those running code deployed through the API). */
function watchable(project: Project, lambda: LambdaService): FunctionModel[] {
  const overridden = new Set(lambda.overriddenFunctions());
  return [...project.functions.values()].filter((f) => !overridden.has(f.logicalId));
}

export async function startDev(
  config: Readonly<DevConfig>,
  reporter: Reporter,
  startedAt = performance.now(),
): Promise<DevInstance> {
  // With a fixed --port the edge's URL is known now, so queue URLs in Refs can point at it from the
  // first load; with --port 0 the project is loaded again once the edge has its port.
  const knownEndpoint = config.port === 0 ? undefined : `http://${config.host}:${config.port}`;
  let loaded: LoadedProject = await loadAppProject(config, knownEndpoint);
  for (const w of loaded.project.warnings) reporter.warn(w);
  for (const fn of loaded.project.functions.values()) {
    try {
      checkHandlerFile(fn, loaded.project.projectDir);
    } catch (err) {
      reporter.warn(formatError(err).replace(/^error/, fn.logicalId));
    }
  }

  const disposers: Array<() => Promise<void> | void> = [];
  const closeAll = async (): Promise<void> => {
    for (const dispose of disposers.reverse()) {
      try {
        await dispose();
      } catch (err) {
        reporter.error(formatError(err));
      }
    }
    disposers.length = 0;
  };

  try {
    // The local cloud first: the functions' environments need its URL.
    const stateDir = config.stateDir ? resolve(config.cwd, config.stateDir) : defaultStateDir(loaded.project);
    const cloud = await startCloud({
      project: loaded.project,
      host: config.host,
      port: config.port,
      stateDir,
      ephemeral: config.ephemeral,
      reporter,
    });
    disposers.push(() => cloud.close());
    if (cloud.edge.url !== knownEndpoint) loaded = await loadAppProject(config, cloud.edge.url);

    const runtime = createRuntime({
      region: loaded.project.region,
      accountId: loaded.project.accountId,
      logSink: (record) => reporter.log(record),
      transport: config.transport,
      envOverrides: (fn) => loaded.envOverrides(fn),
      extraEnv: cloud.endpointEnv(),
      stateDir: defaultStateDir(loaded.project),
      debugPort: config.debugPort,
      eagerConcurrency: config.concurrency,
      defaultConcurrency: config.concurrency === undefined ? undefined : Math.max(10, config.concurrency),
      warn: (message) => reporter.warn(message),
    });
    disposers.push(() => runtime.dispose());
    const lambda = cloud.services.lambda;
    await lambda.ready();
    // One hand-over at a time: a template reload and a Lambda API deployment may both ask.
    let running: FunctionModel[] = [];
    let handOver: Promise<void> = Promise.resolve();
    let projectInUse = loaded.project;
    const applyFunctions = (project: Project = projectInUse): Promise<void> => {
      projectInUse = project;
      return (handOver = handOver
        .catch(() => undefined)
        .then(async () => {
          running = await setFunctions(runtime, project, lambda, reporter);
        }));
    };
    await applyFunctions(loaded.project);
    cloud.attach(runtime, () => running);
    disposers.push(lambda.onFunctionsChanged(() => applyFunctions()));
    await provisionProject(loaded.project, cloud, reporter);
    await seedBucketsFromTemplate(loaded.project, cloud, reporter);
    if (config.seedDir)
      await seedBuckets(resolve(config.cwd, config.seedDir), loaded.project, cloud, reporter);

    let api: ApiGatewayHandle | undefined;
    if (loaded.project.apis.length > 0) {
      api = await startApiGateway({
        apis: loaded.project.apis,
        functions: loaded.project.functions,
        invoker: runtime,
        host: config.host,
        port: config.apiPort,
        region: loaded.project.region,
        accountId: loaded.project.accountId,
        logger: (line) => reporter.info(line),
      });
      const handle = api;
      disposers.push(() => handle.close());
    }
    const edge = cloud.edge;

    if (config.watch) {
      const onCodeChange = (logicalIds: string[], paths: string[]): void => {
        const files = paths.map((p) => relative(loaded.project.projectDir, p) || p);
        for (const id of logicalIds)
          reporter.info(`↻ ${id} reloaded (${files.join(', ')})`, { event: 'reload', function: id, files });
      };
      let stopCodeWatch = watchFunctionCode(runtime, watchable(loaded.project, lambda), onCodeChange);
      let watchedOverrides = lambda.overriddenFunctions().sort().join();
      const rewatchCode = async (project: Project): Promise<void> => {
        watchedOverrides = lambda.overriddenFunctions().sort().join();
        await stopCodeWatch();
        stopCodeWatch = watchFunctionCode(runtime, watchable(project, lambda), onCodeChange);
      };
      disposers.push(() => stopCodeWatch());
      disposers.push(
        lambda.onFunctionsChanged(async () => {
          if (lambda.overriddenFunctions().sort().join() !== watchedOverrides)
            await rewatchCode(loaded.project);
        }),
      );
      // The template, env.json and `.zip` code archives: a change to any of them reloads the project.
      const watched = [
        loaded.project.templatePath,
        ...(config.envVarsFile ? [resolve(config.cwd, config.envVarsFile)] : []),
        ...codeArchivePaths([...loaded.project.functions.values()]),
      ];
      const stopTemplateWatch = watchTemplate(watched, async () => {
        try {
          const next = await loadAppProject(config, cloud.edge.url);
          await applyFunctions(next.project);
          await provisionProject(next.project, cloud, reporter);
          api?.setApis(next.project.apis, next.project.functions);
          await rewatchCode(next.project);
          loaded = next;
          reporter.info(`↻ template reloaded: ${next.project.functions.size} functions`, {
            event: 'template-reload',
          });
          if (api) reporter.info(api.formatRouteTable());
        } catch (err) {
          reporter.error(`template not reloaded, still serving the previous one:\n${formatError(err)}`);
        }
      });
      disposers.push(stopTemplateWatch);
    }

    return {
      project: loaded.project,
      edgeUrl: edge.url,
      apiUrl: api?.url,
      routeTable: api?.formatRouteTable() ?? '',
      readyMs: performance.now() - startedAt,
      runtime,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
