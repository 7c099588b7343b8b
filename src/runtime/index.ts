/**
 * The Lambda runtime: pools of warm execution environments behind the Invoker contract.
 * `createRuntime` is the only constructor; src/app wires it.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { FunctionModel } from '../project/model.ts';
import { AwsServiceError, SlipwayError } from '../shared/errors.ts';
import type { Environment, LaunchSpec } from './environment.ts';
import { Invocation } from './invocation.ts';
import { buildLaunchSpec, launchProblem, type LaunchContext } from './launch.ts';
import { stopEsbuild } from './node-code.ts';
import { Pool, type PoolOptions, type PoolStats } from './pool.ts';
import { runtimeInfo, versionMismatch } from './runtimes.ts';
import {
  MAX_ASYNC_PAYLOAD_BYTES,
  MAX_SYNC_PAYLOAD_BYTES,
  type InvokeRequest,
  type InvokeResult,
  type Invoker,
  type LogSink,
} from './types.ts';

export type { PoolStats as FunctionStats } from './pool.ts';
export { codeArchivePaths, resolveCodeArchives, unpackCodeArchive } from './code-archive.ts';

export interface RuntimeOptions {
  region: string;
  accountId: string;
  logSink: LogSink;
  /** 'http' forces the HTTP Runtime API for every runtime (default 'auto': fd channel for Slipway's bootstraps). */
  transport?: 'auto' | 'http';
  /** Per-function overrides (env.json), applied after the template's Environment. */
  envOverrides?: (fn: FunctionModel) => Record<string, string>;
  /** Added to every environment (e.g. AWS_ENDPOINT_URL); the template's Environment wins. */
  extraEnv?: Record<string, string>;
  /** Scratch directory for transpiled / bundled code, e.g. `<project>/.slipway`. */
  stateDir: string;
  /** Node: `--inspect=127.0.0.1:<port>` (then port+1, ... for further environments); Python: SLIPWAY_DEBUG_PORT. */
  debugPort?: number;
  /** Idle environments are reaped after this long (default 10 minutes). */
  idleTimeoutMs?: number;
  /** Environments per function without reserved concurrency (default 10). */
  defaultConcurrency?: number;
  /**
   * Environments started at once for concurrent invocations of a function before they queue for a
   * free one (default: the CPU cores, at least 2); more start when invocations are slow or stalled.
   */
  eagerConcurrency?: number;
  /** Invocations waiting for an environment, per function (default 1000). */
  maxQueueLength?: number;
  /** PATH and HOME passed to environments (default: this process's). */
  hostPath?: string;
  hostHome?: string;
  warn: (message: string) => void;
}

export interface EnvironmentInfo {
  functionLogicalId: string;
  environmentId: string;
  currentRequestId?: string;
}

export interface Runtime extends Invoker {
  invoke(functionName: string, request: InvokeRequest): Promise<InvokeResult>;
  /** Adds, replaces and removes functions; a changed configuration rolls its environments over. */
  setFunctions(functions: FunctionModel[]): void;
  /** Code changed: idle environments are replaced, busy ones finish on the old code first. */
  invalidate(logicalId: string): void;
  stats(): PoolStats[];
  /** Which environment owns an access key id (attributes AWS calls to invocations). */
  environmentByAccessKey(accessKeyId: string): EnvironmentInfo | undefined;
  /** Kills every child and closes every listener. */
  dispose(): Promise<void>;
}

const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_CONCURRENCY = 10;
const DEFAULT_MAX_QUEUE = 1000;
/** More processes than cores running short invocations only contend for CPU and memory. */
const defaultEagerConcurrency = (): number => Math.max(2, availableParallelism());

class LambdaRuntime implements Runtime {
  private readonly pools = new Map<string, Pool>();
  private readonly byName = new Map<string, Pool>();
  private readonly byAccessKey = new Map<string, Environment>();
  private readonly warned = new Set<string>();
  private readonly salt = randomBytes(8).toString('hex');
  private readonly debugPorts = new Map<Environment, number>();
  private readonly reaper: NodeJS.Timeout;
  private disposed = false;

  constructor(private readonly options: RuntimeOptions) {
    const idle = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.reaper = setInterval(
      () => {
        const now = Date.now();
        for (const pool of this.pools.values()) pool.reap(now, idle);
      },
      Math.max(50, Math.min(idle / 2, 30_000)),
    );
    this.reaper.unref();
  }

  private launchContext(): LaunchContext {
    const o = this.options;
    return {
      region: o.region,
      stateDir: o.stateDir,
      transport: o.transport ?? 'auto',
      extraEnv: o.extraEnv ?? {},
      envOverrides: o.envOverrides,
      debug: o.debugPort !== undefined,
      hostPath: o.hostPath ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      hostHome: o.hostHome ?? process.env.HOME,
    };
  }

  private poolOptions(fn: FunctionModel): PoolOptions {
    const reserved = fn.reservedConcurrentExecutions;
    const debugging = this.options.debugPort !== undefined;
    const maxConcurrency = debugging
      ? 1
      : (reserved ?? this.options.defaultConcurrency ?? DEFAULT_CONCURRENCY);
    return {
      maxConcurrency,
      eagerConcurrency: Math.min(maxConcurrency, this.options.eagerConcurrency ?? defaultEagerConcurrency()),
      throttle: reserved !== undefined,
      maxQueueLength: this.options.maxQueueLength ?? DEFAULT_MAX_QUEUE,
      logSink: this.options.logSink,
      warn: this.options.warn,
      makeSpec: (f) => buildLaunchSpec(f, this.launchContext()),
      decorate: debugging ? (spec, env) => this.debugSpec(spec, env) : undefined,
      onEnvironmentCreated: (env) => this.byAccessKey.set(env.accessKeyId, env),
      onEnvironmentGone: (env) => {
        this.byAccessKey.delete(env.accessKeyId);
        this.debugPorts.delete(env);
      },
      credentialSalt: this.salt,
    };
  }

  private debugSpec(spec: LaunchSpec, env: Environment): LaunchSpec {
    const base = this.options.debugPort as number;
    const used = new Set(this.debugPorts.values());
    let port = base;
    while (used.has(port)) port++;
    this.debugPorts.set(env, port);
    if (spec.runtimeKind === 'node') return { ...spec, args: [`--inspect=127.0.0.1:${port}`, ...spec.args] };
    if (spec.runtimeKind === 'python')
      return { ...spec, env: { ...spec.env, SLIPWAY_DEBUG_PORT: String(port) } };
    return spec;
  }

  setFunctions(functions: FunctionModel[]): void {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const fn of functions) {
      seen.add(fn.logicalId);
      const existing = this.pools.get(fn.logicalId);
      if (!existing) {
        this.pools.set(fn.logicalId, new Pool(fn, this.poolOptions(fn)));
      } else if (JSON.stringify(existing.fn) !== JSON.stringify(fn)) {
        existing.updateOptions(fn, this.poolOptions(fn));
        existing.invalidate();
      }
      const problem = launchProblem(fn);
      if (problem) problems.push(problem);
      this.checkVersion(fn);
    }
    for (const [id, pool] of this.pools) {
      if (!seen.has(id)) {
        this.pools.delete(id);
        void pool.dispose();
      }
    }
    this.reindex();
    if (problems.length > 0) {
      const first = functions.find((f) => problems[0]?.startsWith(`${f.logicalId}:`));
      throw new SlipwayError('FunctionCannotStart', problems.join('\n'), {
        where: first ? { ...first.location, resource: first.logicalId } : undefined,
        hint: 'Fix the function (the others are running); invoking it reports the same error.',
      });
    }
  }

  private checkVersion(fn: FunctionModel): void {
    const key = `${fn.logicalId}\0${fn.runtime}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const info = runtimeInfo(fn.runtime);
    if (!info) return;
    void versionMismatch(fn, info).then((msg) => {
      if (msg) this.options.warn(msg);
    });
  }

  private reindex(): void {
    this.byName.clear();
    for (const pool of this.pools.values()) {
      // A published version answers to its qualified name and ARN only, never to the bare name.
      const name = pool.fn.version ? `${pool.fn.functionName}:${pool.fn.version}` : pool.fn.functionName;
      this.byName.set(name, pool);
      this.byName.set(pool.fn.arn, pool);
    }
  }

  private resolvePool(name: string): Pool | undefined {
    const direct = this.pools.get(name) ?? this.byName.get(name);
    if (direct) return direct;
    const version = /^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:|\d{12}:function:)?([^:]+):(\d+)$/.exec(name);
    if (version) return this.byName.get(`${version[1]}:${version[2]}`);
    // `arn:aws:lambda:region:account:function:name[:qualifier]`, `account:function:name`, `name:qualifier`.
    const m = /^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:|\d{12}:function:)?([^:]+)(?::([^:]+))?$/.exec(name);
    if (!m?.[1]) return undefined;
    return this.pools.get(m[1]) ?? this.byName.get(m[1]);
  }

  private functionArn(name: string): string {
    if (name.startsWith('arn:')) return name;
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`;
  }

  invoke(functionName: string, request: InvokeRequest): Promise<InvokeResult> {
    try {
      return this.startInvoke(functionName, request);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private startInvoke(functionName: string, request: InvokeRequest): Promise<InvokeResult> {
    if (this.disposed) throw new AwsServiceError('ServiceException', 500, 'The Lambda runtime is shut down.');
    const pool = this.resolvePool(functionName);
    if (!pool)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        404,
        `Function not found: ${this.functionArn(functionName)}`,
      );
    const isEvent = request.invocationType === 'Event';
    const limit = isEvent ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
    if (request.payload.length > limit)
      throw new AwsServiceError(
        'RequestEntityTooLargeException',
        413,
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      );
    if (pool.fn.reservedConcurrentExecutions === 0)
      throw new AwsServiceError('TooManyRequestsException', 429, 'Rate Exceeded.', {
        Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      });
    if (request.invocationType === 'DryRun') {
      return Promise.resolve({
        requestId: request.requestId ?? '',
        statusCode: 204,
        payload: Buffer.alloc(0),
        logs: '',
        executedVersion: pool.fn.version ?? '$LATEST',
        durationMs: 0,
        billedDurationMs: 0,
        maxMemoryUsedMB: 0,
      });
    }
    const inv = new Invocation(request);
    pool.dispatch(inv);
    return inv.promise;
  }

  invalidate(logicalId: string): void {
    this.pools.get(logicalId)?.invalidate();
  }

  stats(): PoolStats[] {
    return [...this.pools.values()].map((p) => p.stats());
  }

  environmentByAccessKey(accessKeyId: string): EnvironmentInfo | undefined {
    const env = this.byAccessKey.get(accessKeyId);
    if (!env) return undefined;
    return {
      functionLogicalId: env.fn.logicalId,
      environmentId: env.id,
      currentRequestId: env.currentRequestId,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearInterval(this.reaper);
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.byName.clear();
    await Promise.all(pools.map((p) => p.dispose()));
    await stopEsbuild();
  }
}

export function createRuntime(options: RuntimeOptions): Runtime {
  return new LambdaRuntime(options);
}
