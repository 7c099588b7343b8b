/**
 * The configuration fields of CreateFunction and UpdateFunctionConfiguration, validated as Lambda
 * validates them (same exception names, statuses and messages), into a `DeployedConfig`.
 */
import { DEPRECATED_RUNTIMES, SUPPORTED_RUNTIMES } from '../../project/runtimes.ts';
import { AwsError } from '../types.ts';
import type { DeployedConfig } from './records.ts';

/** Environment variables, as the JSON Lambda measures (`{"K":"V"}`), must fit in 4 KB. */
export const MAX_ENVIRONMENT_BYTES = 4 * 1024;
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 900;
export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10_240;
export const MIN_EPHEMERAL_MB = 512;
export const MAX_EPHEMERAL_MB = 10_240;
export const MAX_DESCRIPTION_LENGTH = 256;
const MAX_FUNCTION_NAME_LENGTH = 64;

const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
const ROLE_RE = new RegExp(`^${ROLE_PATTERN}$`);
const FUNCTION_NAME_RE = /^[a-zA-Z0-9-_]+$/;
const ARCHITECTURES = ['x86_64', 'arm64'] as const;

/** `1 validation error detected: Value '…' at 'field' failed to satisfy constraint: …` (ValidationException). */
export function validationError(value: unknown, field: string, constraint: string): AwsError {
  const shown =
    value === undefined || value === null
      ? 'null'
      : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
    400,
  );
}

function invalid(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message, 400);
}

export function checkFunctionName(name: unknown): string {
  if (typeof name !== 'string' || name === '')
    throw validationError(name, 'functionName', 'Member must not be null');
  if (name.length > MAX_FUNCTION_NAME_LENGTH)
    throw validationError(
      name,
      'functionName',
      `Member must have length less than or equal to ${MAX_FUNCTION_NAME_LENGTH}`,
    );
  if (!FUNCTION_NAME_RE.test(name))
    throw validationError(
      name,
      'functionName',
      'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?',
    );
  return name;
}

function checkRole(role: unknown): string {
  if (role === undefined || role === null) throw validationError(role, 'role', 'Member must not be null');
  if (typeof role !== 'string' || !ROLE_RE.test(role))
    throw validationError(role, 'role', `Member must satisfy regular expression pattern: ${ROLE_PATTERN}`);
  return role;
}

/** Runtimes Lambda no longer accepts in CreateFunction / UpdateFunctionConfiguration (templates may still name them). */
const NOT_FOR_NEW_FUNCTIONS = new Set([...DEPRECATED_RUNTIMES, 'provided']);

function checkRuntime(runtime: unknown): string {
  if (typeof runtime === 'string' && NOT_FOR_NEW_FUNCTIONS.has(runtime))
    throw invalid(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
    );
  if (typeof runtime !== 'string' || !SUPPORTED_RUNTIMES.includes(runtime))
    throw invalid(
      `Value ${String(runtime)} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${SUPPORTED_RUNTIMES.filter((r) => !NOT_FOR_NEW_FUNCTIONS.has(r)).join(', ')}] or be a valid ARN (the runtimes Slipway runs locally)`,
    );
  return runtime;
}

function checkRange(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw validationError(value, field, 'Member must be an integer');
  if (value < min)
    throw validationError(value, field, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validationError(value, field, `Member must have value less than or equal to ${max}`);
  return value;
}

function checkEnvironment(environment: unknown): Record<string, string> {
  const variables =
    typeof environment === 'object' && environment !== null
      ? (environment as { Variables?: unknown }).Variables
      : undefined;
  if (variables === undefined || variables === null) return {};
  if (typeof variables !== 'object' || Array.isArray(variables))
    throw invalid('Environment.Variables must be a map of strings.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(variables as Record<string, unknown>)) out[k] = String(v);
  const measured = JSON.stringify(out);
  if (Buffer.byteLength(measured) > MAX_ENVIRONMENT_BYTES)
    throw invalid(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  return out;
}

export function checkArchitectures(value: unknown): Array<'x86_64' | 'arm64'> {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const shown = `[${list.map(String).join(', ')}]`;
  if (list.length !== 1)
    throw validationError(shown, 'architectures', 'Member must have length less than or equal to 1');
  const arch = list[0];
  if (arch !== 'x86_64' && arch !== 'arm64')
    throw validationError(
      shown,
      'architectures',
      `Member must satisfy constraint: [Member must satisfy enum value set: [${ARCHITECTURES.join(', ')}], Member must not be null]`,
    );
  return [arch];
}

function checkLayers(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((l) => typeof l !== 'string'))
    throw invalid('Layers must be a list of layer version ARNs.');
  return value as string[];
}

/**
 * The configuration fields present in `input`. `create` adds what CreateFunction requires (Role,
 * and Runtime and Handler for a zip package).
 */
export function configurationInput(
  input: Record<string, unknown>,
  mode: 'create' | 'update',
): DeployedConfig {
  const config: DeployedConfig = {};
  if (mode === 'create' || input.Role !== undefined) config.Role = checkRole(input.Role);
  if (mode === 'create' && (input.Runtime === undefined || input.Handler === undefined))
    throw invalid(
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
  if (input.Runtime !== undefined) config.Runtime = checkRuntime(input.Runtime);
  if (input.Handler !== undefined) {
    if (typeof input.Handler !== 'string' || input.Handler === '' || input.Handler.length > 128)
      throw validationError(input.Handler, 'handler', 'Member must have length less than or equal to 128');
    config.Handler = input.Handler;
  }
  if (input.Timeout !== undefined)
    config.Timeout = checkRange(input.Timeout, 'timeout', MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
  if (input.MemorySize !== undefined)
    config.MemorySize = checkRange(input.MemorySize, 'memorySize', MIN_MEMORY_MB, MAX_MEMORY_MB);
  if (input.Description !== undefined) {
    if (typeof input.Description !== 'string' || input.Description.length > MAX_DESCRIPTION_LENGTH)
      throw validationError(
        input.Description,
        'description',
        `Member must have length less than or equal to ${MAX_DESCRIPTION_LENGTH}`,
      );
    config.Description = input.Description;
  }
  if (input.Environment !== undefined) config.Environment = checkEnvironment(input.Environment);
  if (input.Architectures !== undefined) config.Architectures = checkArchitectures(input.Architectures);
  if (input.Layers !== undefined) config.Layers = checkLayers(input.Layers);
  const storage = (input.EphemeralStorage as { Size?: unknown } | undefined)?.Size;
  if (storage !== undefined)
    config.EphemeralStorage = checkRange(
      storage,
      'ephemeralStorage.size',
      MIN_EPHEMERAL_MB,
      MAX_EPHEMERAL_MB,
    );
  const tracing = (input.TracingConfig as { Mode?: unknown } | undefined)?.Mode;
  if (tracing === 'Active' || tracing === 'PassThrough') config.TracingMode = tracing;
  return config;
}
