/**
 * The AWS SDK v3 that Lambda's Node.js runtimes provide, provided the same way here: functions may
 * `import { S3Client } from '@aws-sdk/client-s3'` without bundling or installing it. Slipway ships
 * the clients of the services it emulates; a function's own `node_modules` copy always wins.
 *
 * CommonJS `require` finds them through NODE_PATH. ES modules ignore NODE_PATH, so a resolve hook
 * (bootstraps/node/sdk-hook.mjs) is registered — only for functions whose code mentions
 * `@aws-sdk/` and cannot resolve it itself, because registering a hook costs ~100 ms of cold start.
 */
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SDK_REGISTER = fileURLToPath(new URL('./bootstraps/node/sdk-register.mjs', import.meta.url));

/** The node_modules folder holding Slipway's `@aws-sdk` clients, or undefined when none is installed. */
export const SDK_NODE_MODULES: string | undefined = (() => {
  try {
    const pkg = createRequire(import.meta.url).resolve('@aws-sdk/client-s3/package.json');
    return resolvePath(dirname(pkg), '..', '..');
  } catch {
    return undefined;
  }
})();

const PROVIDED_SCOPES = ['@aws-sdk', '@smithy', '@aws-crypto'];

/**
 * A folder with only the provided SDK scopes (symlinks into Slipway's node_modules), for NODE_PATH:
 * putting Slipway's whole node_modules there would let `require('yaml')` work locally and fail on
 * Lambda. Created once per machine and Slipway install, in the temp dir.
 */
export function providedSdkPath(): string | undefined {
  if (!SDK_NODE_MODULES) return undefined;
  const id = createHash('sha1').update(SDK_NODE_MODULES).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `slipway-provided-sdk-${id}`, 'node_modules');
  try {
    mkdirSync(dir, { recursive: true });
    for (const scope of PROVIDED_SCOPES) {
      const target = join(SDK_NODE_MODULES, scope);
      const link = join(dir, scope);
      if (existsSync(target) && !existsSync(link)) symlinkSync(target, link, 'dir');
    }
    return dir;
  } catch {
    return undefined;
  }
}

/** A file URL inside that folder, for the hook to resolve from. */
export const SDK_PARENT_URL = SDK_NODE_MODULES
  ? pathToFileURL(join(SDK_NODE_MODULES, 'slipway-sdk-parent.js')).href
  : undefined;

const SOURCE_EXT = /\.(m?js|cjs|m?ts|cts)$/;
const MAX_FILES = 2000;

function mentionsSdk(dir: string, budget: { files: number }): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  for (const name of names) {
    if (budget.files <= 0) return false;
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory()) {
      if (mentionsSdk(path, budget)) return true;
    } else if (SOURCE_EXT.test(name) && stat.size < 2_000_000) {
      budget.files--;
      if (readFileSync(path, 'utf8').includes('@aws-sdk/')) return true;
    }
  }
  return false;
}

function resolvableFrom(dir: string): boolean {
  for (let d = resolvePath(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', '@aws-sdk'))) return true;
    if (dirname(d) === d) return false;
  }
}

/**
 * True when the function's ES modules need the hook to find the provided SDK. Called once per code
 * version (the pool caches the launch spec until the code changes).
 */
export function needsSdkHook(codeDir: string): boolean {
  if (!SDK_NODE_MODULES) return false;
  return !resolvableFrom(codeDir) && mentionsSdk(codeDir, { files: MAX_FILES });
}
