/**
 * The local cloud of a `slipway dev` instance: durable store, emulated AWS services on the edge,
 * and the triggers that connect them to functions. dev.ts composes it with the runtime and the
 * API Gateway front end; this file only wires (no behaviour of its own).
 */
import { startEdge, type EdgeHandle } from '../edge/server.ts';
import type { FunctionModel, Project } from '../project/model.ts';
import { unpackCodeArchive, type Runtime } from '../runtime/index.ts';
import type { InvokeRequest } from '../runtime/types.ts';
import { createEventBridgeService, type EventBridgeService } from '../services/events/index.ts';
import { createKinesisService, type KinesisService } from '../services/kinesis/index.ts';
import { createLambdaService, type LambdaService } from '../services/lambda/index.ts';
import { createS3Service, type S3Service } from '../services/s3/index.ts';
import { createSnsService, type SnsService } from '../services/sns/index.ts';
import { createSqsService, type SqsService } from '../services/sqs/index.ts';
import type { ServiceContext, ServiceEvent } from '../services/types.ts';
import { systemClock } from '../shared/clock.ts';
import { compilePattern } from '../shared/event-pattern.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import {
  createEventSourceMappings,
  type EventSourceMappings,
} from '../triggers/event-source-mappings/index.ts';
import { sendToDestination } from '../triggers/destinations.ts';
import { createTriggers, type Triggers } from '../triggers/index.ts';
import { destinationSinks, mappingsForPollers, s3ObjectReader } from './ports.ts';
import type { Reporter } from './reporter.ts';

export interface CloudServices {
  s3: S3Service;
  sqs: SqsService;
  sns: SnsService;
  kinesis: KinesisService;
  events: EventBridgeService;
  lambda: LambdaService;
}

export interface Cloud {
  edge: EdgeHandle;
  store: Store;
  services: CloudServices;
  /** Environment variables that point functions' SDKs at the edge. */
  endpointEnv(): Record<string, string>;
  /** Connects the runtime: function invocations from triggers, mappings, the Lambda API. */
  attach(runtime: Runtime, functions: () => FunctionModel[]): void;
  triggers(): Triggers | undefined;
  close(): Promise<void>;
}

export interface CloudOptions {
  project: Project;
  host: string;
  port: number;
  stateDir: string;
  ephemeral: boolean;
  reporter: Reporter;
}

/** The SDKs' service-specific endpoint variables (AWS_ENDPOINT_URL_<SERVICE>), all pointing at the edge. */
const SERVICE_ENDPOINT_VARIABLES = ['S3', 'SQS', 'SNS', 'KINESIS', 'EVENTBRIDGE', 'LAMBDA'];
/** Where packages deployed through the Lambda API are unpacked (under the store's blob directories). */
const LAMBDA_CODE_BLOBS = 'lambda-code';

export async function startCloud(options: CloudOptions): Promise<Cloud> {
  const { project, reporter } = options;
  const store = await openStore({ stateDir: options.stateDir, ephemeral: options.ephemeral });
  let edge: EdgeHandle | undefined;
  let runtime: Runtime | undefined;
  let functions: () => FunctionModel[] = () => [...project.functions.values()];
  let triggers: Triggers | undefined;
  const early: ServiceEvent[] = [];

  const ctx: ServiceContext = {
    region: project.region,
    accountId: project.accountId,
    clock: systemClock,
    store,
    endpointUrl: () => edge?.url ?? `http://${options.host}:${options.port}`,
    emit: (event) => {
      if (triggers) triggers.onServiceEvent(event);
      else early.push(event);
    },
    log: (line) => reporter.info(line),
  };
  const needRuntime = (): Runtime => {
    if (!runtime) throw new Error('the runtime is not attached yet');
    return runtime;
  };

  const s3 = createS3Service(ctx);
  const services: CloudServices = {
    s3,
    sqs: createSqsService(ctx),
    sns: createSnsService(ctx),
    kinesis: createKinesisService(ctx),
    events: createEventBridgeService(ctx),
    lambda: createLambdaService(ctx, {
      functions: () => functions(),
      invoke: (name: string, request: InvokeRequest) => needRuntime().invoke(name, request),
      invokeAsync: (name, payload, caller) => {
        if (!triggers) throw new Error('the triggers are not attached yet');
        return Promise.resolve(triggers.asyncInvoker.enqueue(name, payload, { caller }));
      },
      readS3Object: s3ObjectReader(s3),
      // Deployed packages unpack into the state directory (a temporary one with --ephemeral).
      unpackCode: (zipPath, owner) => unpackCodeArchive(zipPath, store.blobDir(LAMBDA_CODE_BLOBS), owner),
    }),
  };

  try {
    edge = await startEdge({
      host: options.host,
      port: options.port,
      region: project.region,
      services: Object.values(services),
      routes: [(req, res) => services.lambda.serveCode(req, res)],
      resolveCaller: (accessKeyId) => {
        const env = runtime?.environmentByAccessKey(accessKeyId);
        return env
          ? {
              accessKeyId,
              functionLogicalId: env.functionLogicalId,
              environmentId: env.environmentId,
              invocationRequestId: env.currentRequestId,
            }
          : { accessKeyId };
      },
      health: () => ({
        stackName: project.stackName,
        functions: functions().map((f) => f.logicalId),
        apis: project.apis.map((a) => a.logicalId),
        store: store.kind,
        services: ['s3', 'sqs', 'sns', 'kinesis', 'events', 'lambda'],
      }),
      onError: (err) =>
        reporter.error(
          `a service failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        ),
    });
  } catch (err) {
    await closeServices(services);
    await store.close();
    throw err;
  }
  const edgeHandle = edge;

  let mappings: EventSourceMappings | undefined;
  let unsubscribeMappings: (() => void) | undefined;

  return {
    edge: edgeHandle,
    store,
    services,
    endpointEnv() {
      const env: Record<string, string> = {
        AWS_ENDPOINT_URL: edgeHandle.url,
        SLIPWAY_ENDPOINT_URL: edgeHandle.url,
      };
      for (const s of SERVICE_ENDPOINT_VARIABLES) env[`AWS_ENDPOINT_URL_${s}`] = edgeHandle.url;
      return env;
    },
    attach(rt, fns) {
      runtime = rt;
      functions = fns;
      const lookup = {
        // A published version (`version` set) answers to its own logical id (`Name:N`) or qualified
        // ARN; any other name, qualified or not, is $LATEST.
        functionByArnOrName: (x: string) =>
          functions().find((f) => f.version !== undefined && (f.logicalId === x || f.arn === x)) ??
          functions().find(
            (f) =>
              f.version === undefined &&
              (f.logicalId === x ||
                f.functionName === x ||
                f.arn === x ||
                x.startsWith(`${f.arn}:`) ||
                x.endsWith(`:function:${f.functionName}`)),
          ),
      };
      const log = (line: string): void => reporter.info(line);
      const sinks = destinationSinks(services.sqs, services.sns, services.events);
      triggers = createTriggers({
        invoker: rt,
        functions: lookup,
        s3: services.s3,
        ...sinks,
        clock: systemClock,
        log,
        region: project.region,
        accountId: project.accountId,
      });
      const hooks = triggers.eventSourceMappingHooks;
      const checkpoints = store.namespace('esm-checkpoints');
      mappings = createEventSourceMappings({
        invoker: hooks.invoker,
        sqs: services.sqs,
        kinesis: services.kinesis,
        destinations: {
          sendToDestination: (arn, record) => sendToDestination(sinks, arn, record as never, undefined),
        },
        clock: systemClock,
        region: project.region,
        log,
        mappings: mappingsForPollers(services.lambda),
        checkpoints: { get: (k) => checkpoints.get<string>(k), put: (k, v) => checkpoints.put(k, v) },
        onInvoke: (cause) => hooks.onInvoke(cause),
        compilePattern,
      });
      unsubscribeMappings = services.lambda.onEventSourceMappingsChanged(() => mappings?.refresh());
      mappings.start();
      for (const e of early.splice(0)) triggers.onServiceEvent(e);
    },
    triggers: () => triggers,
    async close() {
      unsubscribeMappings?.();
      await mappings?.close();
      await triggers?.close();
      await edgeHandle.close();
      await closeServices(services);
      await store.close();
    },
  };
}

async function closeServices(services: CloudServices): Promise<void> {
  for (const s of Object.values(services) as Array<{ close?: () => Promise<void> }>) await s.close?.();
}
