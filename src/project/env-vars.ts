/**
 * `--env-vars` files in `sam local`'s format: `{ "Parameters": {K: V}, "<LogicalId>": {K: V},
 * "<FunctionName>": {K: V} }`. `Parameters` applies to every function; a function's own entry
 * overrides it. Unlike `sam local`, variables the template does not declare are added.
 */
import { readFileSync } from 'node:fs';
import { SlipwayError } from '../shared/errors.ts';
import type { FunctionModel } from './model.ts';

export interface EnvVarsFile {
  path: string;
  /** `Parameters`: variables for every function. */
  all: Record<string, string>;
  /** Per-function variables, keyed by logical id or function name. */
  byFunction: Record<string, Record<string, string>>;
}

function fail(path: string, what: string): never {
  throw new SlipwayError('EnvVarsInvalid', `${path}: ${what}`, {
    where: { file: path },
    hint: 'the file is JSON: { "Parameters": { "KEY": "value" }, "MyFunction": { "KEY": "value" } }',
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function variables(path: string, key: string, value: unknown): Record<string, string> {
  if (!isObject(value)) fail(path, `"${key}" must be an object of variable names to values`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (v === null) out[name] = '';
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[name] = String(v);
    else
      fail(
        path,
        `"${key}.${name}" must be a string, number or boolean, found ${Array.isArray(v) ? 'a list' : 'an object'}`,
      );
  }
  return out;
}

export function parseEnvVarsFile(path: string): EnvVarsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SlipwayError('EnvVarsInvalid', `cannot read ${path}: ${(err as Error).message}`, {
      where: { file: path },
      hint: 'check the --env-vars path',
      cause: err,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    fail(path, `not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(data)) fail(path, 'the top level must be an object');
  const file: EnvVarsFile = { path, all: {}, byFunction: {} };
  for (const [key, value] of Object.entries(data)) {
    if (key === 'Parameters') file.all = variables(path, key, value);
    else file.byFunction[key] = variables(path, key, value);
  }
  return file;
}

/** The function's environment: template variables, then `Parameters`, then its own entry (name, then logical id). */
export function environmentFor(fn: FunctionModel, envFile: EnvVarsFile | undefined): Record<string, string> {
  const env = { ...fn.environment };
  if (!envFile) return env;
  Object.assign(env, envFile.all);
  const byName = envFile.byFunction[fn.functionName];
  if (byName && fn.functionName !== fn.logicalId) Object.assign(env, byName);
  const byId = envFile.byFunction[fn.logicalId];
  if (byId) Object.assign(env, byId);
  return env;
}
