/**
 * `buildProject`: every selected function and local layer of a project to a reproducible
 * `<out>/<LogicalId>.zip`, rebuilding nothing whose inputs did not change and patching the zip
 * when only some files did. Deploy reads the result (CodeSha256 decides what is uploaded).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunctionModel, Project } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';
import { buildArtifact, sha256Base64, type ArtifactPlan } from './artifact.ts';
import { ContentHashes } from './content-hashes.ts';
import { checkHandler, type PackagedName } from './handler.ts';
import { mapLimit } from './limit.ts';
import { MAX_DIRECT_UPLOAD_BYTES, checkEnvironment, checkUnzippedSize, formatBytes } from './limits.ts';
import { functionBuilder, layerBuilder, localLayers, type LocalLayer } from './plan.ts';
import type { BuildContext, BuildOptions, BuildResult, BuiltArtifact } from './types.ts';
import { readCentralDirectory } from './zip-read.ts';

export type { ArtifactKind, ArtifactStatus, BuildOptions, BuildResult, BuiltArtifact } from './types.ts';
export { sha256Base64 } from './artifact.ts';
export { MAX_DIRECT_UPLOAD_BYTES, MAX_UNZIPPED_BYTES, MAX_ENVIRONMENT_BYTES } from './limits.ts';

/** Artefacts built at the same time (each one compresses on the thread pool too). */
const CONCURRENCY = 2;

interface Selection {
  functions: FunctionModel[];
  layers: LocalLayer[];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function select(project: Project, ids: readonly string[], warn: (m: string) => void): Selection {
  const layers = localLayers(project);
  const layerById = new Map(layers.map((l) => [l.logicalId, l]));
  const unknown = ids.filter((id) => !project.functions.has(id) && !layerById.has(id));
  if (unknown.length > 0) {
    const known = [...project.functions.keys(), ...layerById.keys()];
    throw new SlipwayError(
      'UnknownLogicalId',
      `no function or layer ${unknown.map((u) => `'${u}'`).join(', ')} in ${project.templatePath}`,
      {
        where: { file: project.templatePath },
        hint: known.length
          ? `functions and layers in this template: ${known.join(', ')}`
          : 'this template declares no function',
      },
    );
  }
  const all = ids.length === 0;
  const functions = [...project.functions.values()].filter((fn) => {
    if (!all && !ids.includes(fn.logicalId)) return false;
    if (fn.packageType === 'Image')
      return (warn(`${fn.logicalId}: PackageType Image is not built (no zip)`), false);
    if (fn.inlineCode !== undefined)
      return (warn(`${fn.logicalId}: InlineCode is deployed as written (no zip)`), false);
    return true;
  });
  const wantedLayers = new Set(all ? layerById.keys() : ids.filter((id) => layerById.has(id)));
  for (const fn of functions)
    for (const l of fn.layers) if (l.logicalId && layerById.has(l.logicalId)) wantedLayers.add(l.logicalId);
  return { functions, layers: layers.filter((l) => wantedLayers.has(l.logicalId)) };
}

function checkCodeDir(fn: FunctionModel): void {
  if (fn.codeZip !== undefined) return;
  if (fn.codeDir === undefined || !isDirectory(fn.codeDir))
    throw new SlipwayError(
      'CodeUriNotFound',
      `${fn.logicalId}: CodeUri folder ${fn.codeDir ?? '(none)'} does not exist`,
      {
        where: { ...fn.location, resource: fn.logicalId },
        hint: 'point CodeUri at the folder holding the handler, relative to the template',
      },
    );
}

/** A `.zip` CodeUri/ContentUri: packaged already; measured and checked, never rewritten. */
async function prebuilt(
  logicalId: string,
  kind: 'function' | 'layer',
  zipPath: string,
  fn?: FunctionModel,
): Promise<BuiltArtifact & { names: PackagedName[] }> {
  const started = performance.now();
  if (!existsSync(zipPath))
    throw new SlipwayError('CodeArchiveNotFound', `${logicalId}: ${zipPath} does not exist`, {
      where: fn ? { ...fn.location, resource: logicalId } : undefined,
      hint: 'point CodeUri at an existing .zip file or at the source folder',
    });
  const entries = await readCentralDirectory(zipPath).catch((err: Error) => {
    throw new SlipwayError(
      'CodeArchiveInvalid',
      `${logicalId}: ${zipPath} is not a valid zip: ${err.message}`,
      {
        hint: 'rebuild the archive, or point CodeUri at the source folder',
      },
    );
  });
  const names = entries
    .filter((e) => !e.name.endsWith('/'))
    .map((e) => ({ name: e.name, executable: (e.mode & 0o111) !== 0 }));
  if (fn) checkHandler(fn, names);
  const size = statSync(zipPath).size;
  const artifact: BuiltArtifact & { names: PackagedName[] } = {
    logicalId,
    kind,
    zipPath,
    codeSha256: await sha256Base64(zipPath),
    size,
    unzippedSize: entries.reduce((n, e) => n + e.size, 0),
    status: 'reused',
    uploadVia: size > MAX_DIRECT_UPLOAD_BYTES ? 's3' : 'direct',
    method: 'prebuilt',
    durationMs: Math.round(performance.now() - started),
    names,
  };
  if (fn) artifact.functionName = fn.functionName;
  return artifact;
}

/** Root entries of a built layer (a provided function's bootstrap may come from one). */
async function rootNames(zipPath: string): Promise<PackagedName[]> {
  const entries = await readCentralDirectory(zipPath);
  return entries
    .filter((e) => !e.name.slice(0, -1).includes('/'))
    .map((e) => ({ name: e.name, executable: (e.mode & 0o111) !== 0 }));
}

async function buildLayer(
  layer: LocalLayer,
  ctx: BuildContext,
): Promise<BuiltArtifact & { names: PackagedName[] }> {
  if (layer.content.toLowerCase().endsWith('.zip')) return prebuilt(layer.logicalId, 'layer', layer.content);
  if (!isDirectory(layer.content))
    throw new SlipwayError(
      'ContentUriNotFound',
      `layer ${layer.logicalId}: ContentUri folder ${layer.content} does not exist`,
      {
        where: layer.location ? { ...layer.location, resource: layer.logicalId } : undefined,
        hint: 'point ContentUri at the layer folder, relative to the template',
      },
    );
  const plan: ArtifactPlan = {
    logicalId: layer.logicalId,
    kind: 'layer',
    builder: layerBuilder(layer, ctx),
    check: (content, unzipped) =>
      checkUnzippedSize(
        { logicalId: layer.logicalId, location: layer.location },
        content.files,
        unzipped,
        [],
      ),
  };
  const built = await buildArtifact(plan, ctx, ctx.force);
  return { ...built, names: await rootNames(built.zipPath) };
}

async function buildFunction(
  fn: FunctionModel,
  ctx: BuildContext,
  layers: Map<string, BuiltArtifact & { names: PackagedName[] }>,
): Promise<BuiltArtifact> {
  const fnLayers = fn.layers.flatMap((l) =>
    l.logicalId && layers.get(l.logicalId) ? [layers.get(l.logicalId)!] : [],
  );
  if (fn.codeZip !== undefined) {
    const { names: _names, ...artifact } = await prebuilt(fn.logicalId, 'function', fn.codeZip, fn);
    return artifact;
  }
  const plan: ArtifactPlan = {
    logicalId: fn.logicalId,
    kind: 'function',
    functionName: fn.functionName,
    builder: functionBuilder(fn, ctx),
    check: (content, unzipped) => {
      checkHandler(
        fn,
        content.files,
        fnLayers.flatMap((l) => l.names),
      );
      checkUnzippedSize(fn, content.files, unzipped, fnLayers);
    },
  };
  return buildArtifact(plan, ctx, ctx.force);
}

export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  const progress = options.progress ?? (() => undefined);
  const warn = options.warn ?? (() => undefined);
  const ids = options.logicalIds ?? [];
  const { functions, layers } = select(options.project, ids, warn);
  for (const fn of functions) {
    checkEnvironment(fn);
    checkCodeDir(fn);
  }
  const cacheDir = join(options.outDir, '.cache');
  await mkdir(cacheDir, { recursive: true });
  const ctx: BuildContext = {
    outDir: options.outDir,
    cacheDir,
    hashes: await ContentHashes.load(join(cacheDir, 'content-hashes.json'), options.force ?? false),
    epochSeconds: options.sourceDateEpoch ?? 0,
    includeTests: options.includeTests ?? false,
    sourcemap: options.sourcemap ?? false,
    force: options.force ?? false,
    env: options.env,
    progress,
    warn,
    pending: new Map(),
  };
  if (options.wheelhouse !== undefined) ctx.wheelhouse = options.wheelhouse;
  const done = <T extends BuiltArtifact>(a: T): T => {
    if (a.status !== 'reused')
      progress(
        `${a.logicalId}: ${a.status}, ${formatBytes(a.size)} (${formatBytes(a.unzippedSize)} unzipped) in ${a.durationMs} ms`,
      );
    if (a.uploadVia === 's3')
      warn(
        `${a.logicalId}: the zip is ${formatBytes(a.size)}, over the 50 MB a direct upload accepts; deploy must upload it through S3`,
      );
    return a;
  };
  try {
    const builtLayers = await mapLimit(layers, CONCURRENCY, async (l) => done(await buildLayer(l, ctx)));
    const byId = new Map(builtLayers.map((l) => [l.logicalId, l]));
    const builtFunctions = await mapLimit(functions, CONCURRENCY, async (fn) =>
      done(await buildFunction(fn, ctx, byId)),
    );
    return { artifacts: [...builtFunctions, ...builtLayers.map(({ names: _names, ...a }) => a)] };
  } finally {
    await ctx.hashes.save(ids.length === 0).catch(() => undefined);
  }
}
