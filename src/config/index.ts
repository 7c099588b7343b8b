/**
 * Flags + files + environment → one validated, frozen Config per command. Nothing deeper in the
 * code reads `process.env`: the CLI calls these functions once and passes the result down.
 */
import { SlipwayError } from '../shared/errors.ts';

export const DEFAULT_EDGE_PORT = 4566;
export const DEFAULT_API_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

export type RuntimeTransport = 'auto' | 'http';

export interface CommonConfig {
  /** Template file or directory (undefined: look in cwd). */
  template: string | undefined;
  cwd: string;
  region: string;
  accountId: string;
  stackName: string | undefined;
  parameterOverrides: string[];
  envVarsFile: string | undefined;
  transport: RuntimeTransport;
  debugPort: number | undefined;
}

export interface DevConfig extends CommonConfig {
  host: string;
  port: number;
  apiPort: number;
  watch: boolean;
  json: boolean;
  /** Durable state folder (default `<project>/.slipway`, resolved by the app once the template is found). */
  stateDir: string | undefined;
  /** Keep every service's state in memory only. */
  ephemeral: boolean;
  /** Folder whose sub-folders are loaded into the buckets of the same name (or logical id) at start-up. */
  seedDir: string | undefined;
  /**
   * Environments per function started at once for concurrent invocations before they queue
   * (undefined: the runtime's default, the CPU cores and at least 2).
   */
  concurrency: number | undefined;
}

export interface InvokeConfig extends CommonConfig {
  functionId: string;
  /** Event file path, `-` for stdin, or undefined for `{}`. */
  event: string | undefined;
}

export interface BuildConfig extends CommonConfig {
  /** Functions/layers to build (all when empty). */
  logicalIds: string[];
  /** Output folder as given (default `.slipway/build` beside the template, resolved by the app). */
  out: string | undefined;
  json: boolean;
  wheelhouse: string | undefined;
  force: boolean;
  includeTests: boolean;
  sourcemap: boolean;
  /** SOURCE_DATE_EPOCH: the zip entries' timestamp in seconds (undefined: 1980-01-01). */
  sourceDateEpoch: number | undefined;
  /** Environment for pip and PATH lookups. */
  env: NodeJS.ProcessEnv;
}

/** The flags shared by commands that load a project and run functions, as commander hands them over. */
export interface CommonFlags {
  template?: string;
  region?: string;
  accountId?: string;
  stackName?: string;
  parameterOverrides?: string[];
  envVars?: string;
  runtimeApi?: string;
  debugPort?: string;
}

export interface DevFlags extends CommonFlags {
  host?: string;
  port?: string;
  apiPort?: string;
  watch?: boolean;
  json?: boolean;
  stateDir?: string;
  ephemeral?: boolean;
  seedDir?: string;
  concurrency?: string;
}

export function parsePort(value: string, flag: string, allowZero = true): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535)
    throw new SlipwayError(
      'InvalidOption',
      `${flag} must be a port number between ${allowZero ? 0 : 1} and 65535, got '${value}'`,
      {
        exitCode: 2,
      },
    );
  return n;
}

function commonConfig(flags: CommonFlags, env: NodeJS.ProcessEnv, cwd: string): CommonConfig {
  const transport = flags.runtimeApi ?? 'auto';
  if (transport !== 'auto' && transport !== 'http')
    throw new SlipwayError('InvalidOption', `--runtime-api must be 'auto' or 'http', got '${transport}'`, {
      exitCode: 2,
    });
  const accountId = flags.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId))
    throw new SlipwayError('InvalidOption', `--account-id must be 12 digits, got '${accountId}'`, {
      exitCode: 2,
    });
  return {
    template: flags.template,
    cwd,
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION,
    accountId,
    stackName: flags.stackName,
    parameterOverrides: flags.parameterOverrides ?? [],
    envVarsFile: flags.envVars,
    transport,
    debugPort: flags.debugPort === undefined ? undefined : parsePort(flags.debugPort, '--debug-port', false),
  };
}

export function devConfig(flags: DevFlags, env: NodeJS.ProcessEnv, cwd: string): Readonly<DevConfig> {
  return Object.freeze({
    ...commonConfig(flags, env, cwd),
    host: flags.host ?? DEFAULT_HOST,
    port: flags.port === undefined ? DEFAULT_EDGE_PORT : parsePort(flags.port, '--port'),
    apiPort: flags.apiPort === undefined ? DEFAULT_API_PORT : parsePort(flags.apiPort, '--api-port'),
    watch: flags.watch ?? true,
    json: flags.json ?? false,
    stateDir: flags.stateDir,
    ephemeral: flags.ephemeral ?? false,
    seedDir: flags.seedDir,
    concurrency: flags.concurrency === undefined ? undefined : parseConcurrency(flags.concurrency),
  });
}

/** AWS's default concurrency quota per Region is 1,000 executions. */
const MAX_DEV_CONCURRENCY = 1000;

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_DEV_CONCURRENCY)
    throw new SlipwayError(
      'InvalidOption',
      `--concurrency must be a whole number from 1 to ${MAX_DEV_CONCURRENCY}, got '${value}'`,
      { hint: 'e.g. --concurrency 10 starts an environment for each of 10 concurrent requests' },
    );
  return n;
}

export function invokeConfig(
  functionId: string,
  flags: CommonFlags & { event?: string },
  env: NodeJS.ProcessEnv,
  cwd: string,
): Readonly<InvokeConfig> {
  return Object.freeze({ ...commonConfig(flags, env, cwd), functionId, event: flags.event });
}

export interface BuildFlags {
  template?: string;
  region?: string;
  accountId?: string;
  stackName?: string;
  parameterOverrides?: string[];
  out?: string;
  json?: boolean;
  wheelhouse?: string;
  force?: boolean;
  includeTests?: boolean;
  sourcemap?: boolean;
}

/** SOURCE_DATE_EPOCH (reproducible-builds.org): a non-negative integer number of seconds. */
function sourceDateEpoch(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value))
    throw new SlipwayError(
      'InvalidOption',
      `SOURCE_DATE_EPOCH must be a whole number of seconds, got '${value}'`,
      {
        exitCode: 2,
        hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it for 1980-01-01',
      },
    );
  return Number(value);
}

export function buildConfig(
  logicalIds: string[],
  flags: BuildFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Readonly<BuildConfig> {
  return Object.freeze({
    ...commonConfig(flags, env, cwd),
    logicalIds,
    out: flags.out,
    json: flags.json ?? false,
    wheelhouse: flags.wheelhouse,
    force: flags.force ?? false,
    includeTests: flags.includeTests ?? false,
    sourcemap: flags.sourcemap ?? false,
    sourceDateEpoch: sourceDateEpoch(env.SOURCE_DATE_EPOCH),
    env,
  });
}

export interface DeployConfig extends BuildConfig {
  quick: boolean;
  /** undefined: the SDK's own resolution (AWS_REGION, the profile's region). */
  deployRegion: string | undefined;
  endpointUrl: string | undefined;
  profile: string | undefined;
  concurrency: number;
  publish: boolean;
  /** Update even functions whose remote CodeSha256 already matches. */
  force: boolean;
  s3Bucket: string | undefined;
  s3Prefix: string;
}

export interface DeployFlags extends BuildFlags {
  quick?: boolean;
  endpointUrl?: string;
  profile?: string;
  concurrency?: string;
  publish?: boolean;
  s3Bucket?: string;
  s3Prefix?: string;
}

export function deployConfig(
  functionIds: string[],
  flags: DeployFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Readonly<DeployConfig> {
  if (!flags.quick)
    throw new SlipwayError(
      'DeployModeMissing',
      'slipway deploy only does quick deploys for now: pass --quick to update the code of functions that already exist',
      {
        hint: 'create the stack once with `sam deploy` (or the functions with `aws lambda create-function`), then use `slipway deploy --quick`',
      },
    );
  const concurrency = Number(flags.concurrency ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new SlipwayError(
      'InvalidOption',
      `--concurrency must be a whole number from 1 to 64, got '${flags.concurrency}'`,
    );
  if (flags.endpointUrl !== undefined && !/^https?:\/\/[^/]+/.test(flags.endpointUrl))
    throw new SlipwayError(
      'InvalidOption',
      `--endpoint-url must be an http(s) URL, got '${flags.endpointUrl}'`,
      {
        hint: 'e.g. --endpoint-url http://127.0.0.1:4566 for a running slipway dev',
      },
    );
  // The build never ignores its cache for a deploy: --force means "update even when unchanged".
  const build = buildConfig(functionIds, { ...flags, force: false }, env, cwd);
  return Object.freeze({
    ...build,
    quick: true,
    deployRegion: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpointUrl: flags.endpointUrl,
    profile: flags.profile,
    concurrency,
    publish: flags.publish ?? false,
    force: flags.force ?? false,
    s3Bucket: flags.s3Bucket,
    s3Prefix: flags.s3Prefix ?? 'slipway-artifacts',
  });
}
