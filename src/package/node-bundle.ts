/**
 * Node.js bundled with esbuild, in two flavours:
 * - `Metadata: BuildMethod: esbuild` read the way SAM's esbuild builder reads BuildProperties, with
 *   SAM's defaults (format cjs, target es2020, minify on, no source map); outputs laid out as
 *   esbuild names them in SAM's artefact folder.
 * - A TypeScript handler without a BuildMethod (which SAM would package unbuilt and Lambda could
 *   not run): bundled to the handler's own path as `.js` (CommonJS) or `.mjs` (ESM), target from
 *   the runtime (nodejs20.x → node20), `@aws-sdk/*` left to the runtime (nodejs18.x and later
 *   ship the SDK v3), source maps only with --sourcemap.
 * The inputs the cache watches are the metafile's: every file the bundle was made from.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { BuildOptions as EsbuildOptions, BuildResult as EsbuildResult, Loader } from 'esbuild';
import type { FunctionModel } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';
import { nodeHandlerModule } from './handler.ts';
import { fileStat, type PackageContent } from './source-tree.ts';
import type { Builder, InputFile, InputSet } from './types.ts';

type Esbuild = typeof import('esbuild');
let esbuildModule: Promise<Esbuild> | undefined;
export function loadEsbuild(): Promise<Esbuild> {
  esbuildModule ??= import('esbuild');
  return esbuildModule;
}
/** Stops esbuild's service process if this build started it. */
export async function stopEsbuild(): Promise<void> {
  if (esbuildModule) await (await esbuildModule).stop();
}

/** Never written: esbuild only needs it to name outputs and relative source-map paths. */
const VIRTUAL_OUT = '.slipway-bundle';
/** Files besides the metafile's inputs whose change changes resolution or compilation. */
const CONFIG_FILES = ['package.json', 'tsconfig.json'];
const MAX_REBUILDS = 3;
const TS_EXTENSIONS = ['.ts', '.mts', '.cts'];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Cold path (once per build): synchronous reads keep it simple. */
function nearestPackageType(dir: string, stop: string): 'module' | 'commonjs' {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) {
      try {
        const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { type?: string };
        return pkg.type === 'module' ? 'module' : 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (d === stop || dirname(d) === d) return 'commonjs';
  }
}
/** The TypeScript file the handler points at, when it is one (and no JavaScript file shadows it). */
export function typescriptHandlerFile(fn: FunctionModel): string | undefined {
  if (!fn.codeDir) return undefined;
  const module = nodeHandlerModule(fn.handler);
  if (!module) return undefined;
  const base = join(fn.codeDir, module);
  if (['.js', '.mjs', '.cjs'].some((ext) => isFile(base + ext))) return undefined;
  for (const ext of TS_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  return undefined;
}

function runtimeTarget(runtime: string): string {
  const m = /^nodejs(\d+)/.exec(runtime);
  return m ? `node${m[1]}` : 'node20';
}

function runtimeExternals(runtime: string): string[] {
  const major = Number(/^nodejs(\d+)/.exec(runtime)?.[1] ?? 0);
  return major >= 18 ? ['@aws-sdk/*'] : ['aws-sdk'];
}

/** SAM: an entry point without an extension is tried as .ts, then .js. */
function samEntryPoint(codeDir: string, entry: string, fn: FunctionModel): string {
  const path = resolve(codeDir, entry);
  if (/\.[^/]+$/.test(entry)) {
    if (isFile(path)) return path;
  } else {
    for (const ext of ['.ts', '.js']) if (isFile(path + ext)) return path + ext;
  }
  throw new SlipwayError(
    'EntryPointNotFound',
    `${fn.logicalId}: esbuild entry point ${entry} does not exist in ${codeDir}`,
    {
      where: { ...fn.location, resource: fn.logicalId },
      hint: 'fix Metadata.BuildProperties.EntryPoints (paths relative to CodeUri)',
    },
  );
}

function samOptions(fn: FunctionModel, codeDir: string): EsbuildOptions {
  const p = fn.build?.esbuild ?? {};
  const module = nodeHandlerModule(fn.handler) ?? 'app';
  const entries = p.entryPoints?.length ? p.entryPoints : [module];
  return {
    entryPoints: entries.map((e) => samEntryPoint(codeDir, e, fn)),
    outdir: join(codeDir, VIRTUAL_OUT),
    bundle: true,
    platform: 'node',
    format: p.format ?? 'cjs',
    target: p.target ?? 'es2020',
    minify: p.minify ?? true,
    sourcemap: p.sourcemap === true,
    external: p.external,
    mainFields: p.mainFields,
    outExtension: p.outExtension,
    loader: p.loader as Record<string, Loader> | undefined,
    banner: p.banner ? { js: p.banner } : undefined,
  };
}

function typescriptOptions(
  fn: FunctionModel,
  codeDir: string,
  tsFile: string,
  sourcemap: boolean,
): EsbuildOptions {
  const module = nodeHandlerModule(fn.handler)!;
  const esm =
    tsFile.endsWith('.mts') ||
    (!tsFile.endsWith('.cts') && nearestPackageType(dirname(tsFile), codeDir) === 'module');
  return {
    entryPoints: [tsFile],
    outfile: join(codeDir, VIRTUAL_OUT, module + (esm ? '.mjs' : '.js')),
    bundle: true,
    platform: 'node',
    format: esm ? 'esm' : 'cjs',
    target: runtimeTarget(fn.runtime),
    minify: false,
    sourcemap,
    external: runtimeExternals(fn.runtime),
  };
}

/** Synchronous like the source walk: a bundle's inputs can be hundreds of files. */
function statInputs(paths: readonly string[]): InputFile[] | undefined {
  const files: InputFile[] = [];
  for (const path of paths) {
    try {
      files.push({ key: path, path, executable: false, stat: fileStat(statSync(path)) });
    } catch {
      return undefined; // an input is gone: only a build can tell what the bundle needs now
    }
  }
  return files;
}

function inputPathsOf(result: EsbuildResult, codeDir: string): string[] {
  const fromMeta = Object.keys(result.metafile?.inputs ?? {})
    .filter((p) => !p.includes(':')) // virtual modules (`<define:…>`, `(disabled):…`)
    .map((p) => resolve(codeDir, p));
  const config = CONFIG_FILES.map((f) => join(codeDir, f)).filter(isFile);
  return [...new Set([...fromMeta, ...config])].filter(isFile).sort();
}

function toContent(result: EsbuildResult, outDir: string): PackageContent {
  return {
    files: (result.outputFiles ?? []).map((f) => {
      const data = Buffer.from(f.contents.buffer, f.contents.byteOffset, f.contents.byteLength);
      return {
        name: relative(outDir, f.path).split(sep).join('/'),
        source: data,
        size: data.length,
        executable: false,
      };
    }),
    dirs: [],
  };
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number } | null;
}

function failure(fn: FunctionModel, err: unknown): SlipwayError {
  const errors = (err as { errors?: EsbuildMessage[] }).errors ?? [];
  const shown = errors
    .slice(0, 3)
    .map((e) =>
      e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text,
    );
  return new SlipwayError(
    'BundleFailed',
    `${fn.logicalId}: esbuild could not bundle the handler: ${shown.join('; ') || String(err)}`,
    {
      where: { ...fn.location, resource: fn.logicalId },
      hint: /Could not resolve/.test(shown.join(' '))
        ? 'install the missing package in CodeUri (npm install), or list it under BuildProperties.External'
        : 'fix the error in the source file named above',
    },
  );
}

export function esbuildBuilder(fn: FunctionModel, opts: { sourcemap: boolean; tsFile?: string }): Builder {
  const codeDir = fn.codeDir!;
  const sam = fn.build?.method.toLowerCase() === 'esbuild';
  let options: EsbuildOptions | undefined;
  const esbuildOptions = (): EsbuildOptions =>
    (options ??= sam
      ? samOptions(fn, codeDir)
      : typescriptOptions(fn, codeDir, opts.tsFile!, opts.sourcemap));
  return {
    method: 'esbuild',
    configKey: async () => {
      const { version } = await loadEsbuild();
      return JSON.stringify({ method: 'esbuild', version, options: esbuildOptions() });
    },
    inputs: (previous) => {
      const files = previous?.inputs ? statInputs(previous.inputs) : undefined;
      return Promise.resolve(files ? { files, dirs: [] } : undefined);
    },
    produce: async () => {
      const esbuild = await loadEsbuild();
      const outDir = join(codeDir, VIRTUAL_OUT);
      for (let attempt = 0; ; attempt++) {
        const started = Date.now();
        let result: EsbuildResult;
        try {
          result = await esbuild.build({
            ...esbuildOptions(),
            absWorkingDir: codeDir,
            write: false,
            metafile: true,
            logLevel: 'silent',
          });
        } catch (err) {
          throw failure(fn, err);
        }
        const inputPaths = inputPathsOf(result, codeDir);
        const files = statInputs(inputPaths);
        // An input written while esbuild read it: bundle again, so the bundle and the recorded
        // inputs agree.
        if (attempt >= MAX_REBUILDS || (files && files.every((f) => f.stat.mtimeMs < started))) {
          const inputs: InputSet = { files: files ?? [], dirs: [] };
          return { content: toContent(result, outDir), inputs, inputPaths };
        }
      }
    },
  };
}

/** For the bench and tests: what esbuild itself is given for this function. */
export function esbuildOptionsFor(fn: FunctionModel, sourcemap = false): EsbuildOptions {
  const tsFile = typescriptHandlerFile(fn);
  const sam = fn.build?.method.toLowerCase() === 'esbuild';
  return sam ? samOptions(fn, fn.codeDir!) : typescriptOptions(fn, fn.codeDir!, tsFile!, sourcemap);
}
