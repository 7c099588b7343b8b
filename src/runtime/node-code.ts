/**
 * Prepares a Node function's code before its environments spawn (in the parent, never in the
 * child): TypeScript handlers are bundled with esbuild (packages external, inline source maps so
 * stack traces point at the .ts lines), and `Metadata: BuildMethod: esbuild` functions are built
 * as SAM's esbuild builder would lay them out. Output goes under `<stateDir>/runtime/`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { FunctionModel } from '../project/model.ts';
import type { FunctionErrorPayload } from './types.ts';
import { splitHandler } from '../project/handler.ts';

export interface PreparedNodeCode {
  /** Directory the bootstrap resolves `_HANDLER` against, when not LAMBDA_TASK_ROOT. */
  handlerRoot?: string;
  /** The module file to load for the handler, when it was transpiled. */
  handlerFile?: string;
  /** Run the child with --enable-source-maps. */
  sourceMaps: boolean;
}

/** A build failure, reported to the invocation as the init error the runtime would have raised. */
export class PrepareError extends Error {
  constructor(readonly payload: FunctionErrorPayload) {
    super(payload.errorMessage);
  }
}

const JS_EXTENSIONS = ['.js', '.mjs', '.cjs'];
const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];
/** Every extension a Node.js handler module may have, in resolution order. */
export const NODE_MODULE_EXTENSIONS: readonly string[] = [...JS_EXTENSIONS, ...TS_EXTENSIONS];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findWithExtensions(base: string, extensions: string[]): string | undefined {
  for (const ext of extensions) if (isFile(base + ext)) return base + ext;
  for (const ext of extensions) if (isFile(join(base, 'index' + ext))) return join(base, 'index' + ext);
  return undefined;
}

/** Cold path (once per code version): sync reads are fine here. */
function nearestPackageType(dir: string): 'module' | 'commonjs' {
  for (let d = dir; ; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module'
          ? 'module'
          : 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (dirname(d) === d) return 'commonjs';
  }
}

function nearestNodeModules(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const nm = join(d, 'node_modules');
    if (existsSync(nm)) return nm;
    if (dirname(d) === d) return undefined;
  }
}

/** Externals of the output must resolve as they would from the code dir (ESM ignores NODE_PATH). */
async function linkNodeModules(outDir: string, codeDir: string): Promise<void> {
  const nm = nearestNodeModules(codeDir);
  if (!nm) return;
  await symlink(nm, join(outDir, 'node_modules'), 'dir').catch(() => undefined);
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number; lineText?: string } | null;
}

function buildFailure(err: unknown): PrepareError {
  const errors = (err as { errors?: EsbuildMessage[] }).errors ?? [];
  const first = errors[0];
  if (!first) {
    return new PrepareError({ errorType: 'Runtime.UserCodeSyntaxError', errorMessage: String(err) });
  }
  const where = first.location
    ? ` (${first.location.file}:${first.location.line}:${first.location.column})`
    : '';
  const resolveFail = /^Could not resolve "([^"]+)"/.exec(first.text);
  if (resolveFail) {
    return new PrepareError({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: Cannot find module '${resolveFail[1]}'${where}`,
      trace: [],
    });
  }
  return new PrepareError({
    errorType: 'Runtime.UserCodeSyntaxError',
    errorMessage: `SyntaxError: ${first.text}${where}`,
    trace: first.location
      ? [`    at ${first.location.file}:${first.location.line}:${first.location.column}`]
      : [],
  });
}

type Esbuild = typeof import('esbuild');
let esbuildModule: Promise<Esbuild> | undefined;
function loadEsbuild(): Promise<Esbuild> {
  esbuildModule ??= import('esbuild');
  return esbuildModule;
}

/** Stops esbuild's service process, if it was started (it is restarted on the next build). */
export async function stopEsbuild(): Promise<void> {
  if (esbuildModule) await (await esbuildModule).stop();
}

/** How many times a build is redone because a source changed while it ran. */
const MAX_REBUILDS = 5;

/**
 * Runs an esbuild build and redoes it when one of its input files was written while it ran: an
 * editor that truncates then writes (or the next save arriving during a build after a reload)
 * would otherwise leave a bundle of a half-written file, and the next invocation would fail with
 * Runtime.HandlerNotFound although the file on disk is fine.
 */
async function buildWhileStable(esbuild: Esbuild, options: import('esbuild').BuildOptions): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const started = Date.now();
    const result = await esbuild.build({ ...options, metafile: true });
    const base = options.absWorkingDir ?? process.cwd();
    // Written since the build started, or empty: an editor that truncates then writes can be caught
    // between the two (the truncation's change event started this build); an empty source module
    // is almost never what was meant, so it is given a moment to be filled before it is served.
    const changed = Object.keys(result.metafile?.inputs ?? {}).some((input) => {
      try {
        const stats = statSync(resolve(base, input));
        return stats.mtimeMs >= started || stats.size === 0;
      } catch {
        return false; // not a file (a virtual module) or gone: the next save's reload handles it
      }
    });
    if (!changed || attempt >= MAX_REBUILDS) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function nodeTarget(): string {
  return `node${process.versions.node.split('.')[0]}`;
}

async function transpileTypeScript(
  fn: FunctionModel,
  codeDir: string,
  module: string,
  tsFile: string,
  stateDir: string,
): Promise<PreparedNodeCode> {
  const esbuild = await loadEsbuild();
  const outDir = join(stateDir, 'runtime', 'ts', fn.logicalId);
  const format: 'esm' | 'cjs' = tsFile.endsWith('.mts')
    ? 'esm'
    : tsFile.endsWith('.cts')
      ? 'cjs'
      : nearestPackageType(dirname(tsFile)) === 'module'
        ? 'esm'
        : 'cjs';
  const outFile = join(outDir, module + (format === 'esm' ? '.mjs' : '.cjs'));
  await mkdir(dirname(outFile), { recursive: true });
  try {
    await buildWhileStable(esbuild, {
      entryPoints: [tsFile],
      outfile: outFile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format,
      target: nodeTarget(),
      sourcemap: 'inline',
      logLevel: 'silent',
      absWorkingDir: codeDir,
    });
  } catch (err) {
    throw buildFailure(err);
  }
  await linkNodeModules(outDir, codeDir);
  return { handlerFile: outFile, sourceMaps: true };
}

async function esbuildLikeSam(
  fn: FunctionModel,
  codeDir: string,
  stateDir: string,
): Promise<PreparedNodeCode> {
  const esbuild = await loadEsbuild();
  const props = fn.build?.esbuild ?? {};
  const outDir = join(stateDir, 'runtime', 'esbuild', fn.logicalId);
  const entryPoints = (props.entryPoints ?? [splitHandler(fn.handler)?.module + '.ts']).map((e) =>
    resolve(codeDir, e),
  );
  const format = props.format ?? 'cjs';
  await mkdir(outDir, { recursive: true });
  try {
    await buildWhileStable(esbuild, {
      entryPoints,
      outdir: outDir,
      bundle: true,
      platform: 'node',
      format,
      target: props.target ?? nodeTarget(),
      minify: props.minify ?? false,
      sourcemap: 'inline',
      external: props.external,
      mainFields: props.mainFields,
      outExtension: props.outExtension,
      loader: props.loader as Record<string, import('esbuild').Loader> | undefined,
      banner: props.banner ? { js: props.banner } : undefined,
      logLevel: 'silent',
      absWorkingDir: codeDir,
    });
  } catch (err) {
    throw buildFailure(err);
  }
  await writeFile(
    join(outDir, 'package.json'),
    JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }),
  );
  await linkNodeModules(outDir, codeDir);
  return { handlerRoot: outDir, sourceMaps: true };
}

export async function prepareNodeCode(fn: FunctionModel, stateDir: string): Promise<PreparedNodeCode> {
  const codeDir = fn.codeDir;
  if (!codeDir) return { sourceMaps: false };
  if (fn.build?.method.toLowerCase() === 'esbuild') return esbuildLikeSam(fn, codeDir, stateDir);
  const parts = splitHandler(fn.handler);
  if (!parts) return { sourceMaps: false };
  const base = join(codeDir, parts.module);
  if (findWithExtensions(base, JS_EXTENSIONS)) return { sourceMaps: false };
  const tsFile = findWithExtensions(base, TS_EXTENSIONS);
  if (!tsFile) return { sourceMaps: false };
  const module = tsFile.startsWith(base + '/') ? join(parts.module, 'index') : parts.module;
  return transpileTypeScript(fn, codeDir, module, tsFile, stateDir);
}
