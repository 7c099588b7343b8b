/**
 * Which local program runs each Lambda runtime: `nodejs*` on this Node, `python3.*` on python3,
 * `provided*` on the function's own `bootstrap` (or a layer's, as /opt/bootstrap on AWS).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionModel } from '../project/model.ts';

export type RuntimeKind = 'node' | 'python' | 'provided';

export interface RuntimeInfo {
  name: string;
  kind: RuntimeKind;
  /** Declared major.minor, e.g. "20" for nodejs20.x, "3.12" for python3.12. */
  version?: string;
  /** AWS_EXECUTION_ENV value, absent for provided. */
  executionEnv?: string;
}

const NODE_RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x'];
const PYTHON_RUNTIMES = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14'];
const PROVIDED_RUNTIMES = ['provided', 'provided.al2', 'provided.al2023'];

export const SUPPORTED_RUNTIMES: readonly string[] = [
  ...NODE_RUNTIMES,
  ...PYTHON_RUNTIMES,
  ...PROVIDED_RUNTIMES,
];

export function runtimeInfo(runtime: string): RuntimeInfo | undefined {
  if (NODE_RUNTIMES.includes(runtime))
    return {
      name: runtime,
      kind: 'node',
      version: runtime.slice(6, -2),
      executionEnv: `AWS_Lambda_${runtime}`,
    };
  if (PYTHON_RUNTIMES.includes(runtime))
    return {
      name: runtime,
      kind: 'python',
      version: runtime.slice(6),
      executionEnv: `AWS_Lambda_${runtime}`,
    };
  if (PROVIDED_RUNTIMES.includes(runtime)) return { name: runtime, kind: 'provided' };
  return undefined;
}

/** Bootstraps shipped with Slipway, located relative to this file (works from src/ and dist/). */
export const NODE_BOOTSTRAP = fileURLToPath(new URL('./bootstraps/node/bootstrap.mjs', import.meta.url));
export const PYTHON_BOOTSTRAP = fileURLToPath(new URL('./bootstraps/python/bootstrap.py', import.meta.url));
export const RUNTIME_DIR = fileURLToPath(new URL('./bootstraps/', import.meta.url));

export function fileExists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The `bootstrap` a provided function runs: its code dir's, else the first layer's that has one. */
export function providedBootstrap(fn: FunctionModel): {
  path: string;
  problem?: string;
  reason?: 'missing' | 'not-executable';
} {
  const candidates = [
    ...(fn.codeDir ? [join(fn.codeDir, 'bootstrap')] : []),
    ...fn.layers.flatMap((l) => (l.contentDir ? [join(l.contentDir, 'bootstrap')] : [])),
  ];
  const found = candidates.find(fileExists);
  if (!found) {
    const path = candidates[0] ?? 'bootstrap';
    return { path, problem: `fork/exec ${path}: no such file or directory`, reason: 'missing' };
  }
  try {
    accessSync(found, constants.X_OK);
  } catch {
    return { path: found, problem: `fork/exec ${found}: permission denied`, reason: 'not-executable' };
  }
  return { path: found };
}

let pythonExecutable: Promise<string> | undefined;

/**
 * The real python3 binary (resolved once: version-manager shims such as pyenv's cost tens of
 * milliseconds per start).
 */
export function resolvePython(): Promise<string> {
  pythonExecutable ??= new Promise((resolve) => {
    execFile('python3', ['-c', 'import sys; print(sys.executable)'], { timeout: 10_000 }, (err, stdout) => {
      const path = stdout.trim();
      resolve(err || !path ? 'python3' : path);
    });
  });
  return pythonExecutable;
}

let pythonVersion: Promise<string | undefined> | undefined;

function localPythonVersion(): Promise<string | undefined> {
  pythonVersion ??= resolvePython().then(
    (py) =>
      new Promise((resolve) => {
        execFile(py, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], (err, out) => {
          resolve(err ? undefined : out.trim());
        });
      }),
  );
  return pythonVersion;
}

/** One warning when the local interpreter's version differs from the declared runtime's. */
export async function versionMismatch(fn: FunctionModel, info: RuntimeInfo): Promise<string | undefined> {
  if (info.kind === 'node' && info.version) {
    const local = process.versions.node;
    if (local.split('.')[0] !== info.version)
      return `${fn.logicalId} declares ${fn.runtime}; running it on the local Node ${local}`;
  }
  if (info.kind === 'python' && info.version) {
    const local = await localPythonVersion();
    if (!local) return `${fn.logicalId} declares ${fn.runtime}, but no python3 was found on PATH`;
    if (!local.startsWith(`${info.version}.`))
      return `${fn.logicalId} declares ${fn.runtime}; running it on the local Python ${local}`;
  }
  return undefined;
}
