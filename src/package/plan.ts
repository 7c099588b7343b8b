/**
 * Which builder packages which function or layer, following `sam build`'s choices:
 * - Node.js: `Metadata: BuildMethod: esbuild` → esbuild as SAM runs it; no BuildMethod (or a
 *   `nodejsNN.x` one, SAM's name for its npm builder) → the CodeUri folder with its production
 *   node_modules, as SAM's default npm builder lays it out; except a TypeScript handler without a
 *   BuildMethod, which Lambda could not run as it is: Slipway bundles it with esbuild.
 * - Python (no BuildMethod or `pythonX.Y`): sources + requirements.txt installed.
 * - provided (no BuildMethod): the CodeUri folder as it is, executable bits kept.
 * - Layers: ContentUri as it is; `BuildMethod: pythonX.Y` → under `python/` with its
 *   requirements; `BuildMethod: nodejsNN.x` → under `nodejs/` with its production node_modules.
 * `BuildMethod: makefile` (and any other) is refused with a clear message.
 */
import { isAbsolute, resolve } from 'node:path';
import type { FunctionModel, Project, SourceLocation } from '../project/model.ts';
import { SlipwayError, type Where } from '../shared/errors.ts';
import { copyBuilder } from './copy-builder.ts';
import { esbuildBuilder, typescriptHandlerFile } from './node-bundle.ts';
import { nodeCopyBuilder } from './node-copy.ts';
import { pythonBuilder } from './python.ts';
import { sourceExclusions } from './source-tree.ts';
import type { BuildContext, Builder } from './types.ts';

export interface LocalLayer {
  logicalId: string;
  /** Absolute folder (or .zip) of the layer's content. */
  content: string;
  buildMethod?: string;
  location?: SourceLocation;
}

const LAYER_TYPES = new Set(['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion']);

/** The template's layers whose content is local (ContentUri, or Content.S3Key without a bucket). */
export function localLayers(project: Project): LocalLayer[] {
  const out: LocalLayer[] = [];
  for (const r of project.resources.values()) {
    if (!LAYER_TYPES.has(r.type)) continue;
    const sam = r.type === 'AWS::Serverless::LayerVersion';
    const content = sam ? r.properties['ContentUri'] : r.properties['Content'];
    let path: string | undefined;
    if (typeof content === 'string') path = content;
    else if (content && typeof content === 'object') {
      const c = content as Record<string, unknown>;
      if (typeof c['S3Key'] === 'string' && c['S3Bucket'] === undefined) path = c['S3Key'];
    }
    if (path === undefined || /^s3:\/\//i.test(path)) continue;
    const method = r.metadata?.['BuildMethod'];
    const layer: LocalLayer = {
      logicalId: r.logicalId,
      content: isAbsolute(path) ? path : resolve(project.projectDir, path),
    };
    if (typeof method === 'string') layer.buildMethod = method;
    if (r.location) layer.location = r.location;
    out.push(layer);
  }
  return out;
}

function unsupportedMethod(
  owner: string,
  method: string,
  where: Where | undefined,
  family: string,
): SlipwayError {
  return new SlipwayError(
    'BuildMethodUnsupported',
    `${owner}: Metadata BuildMethod '${method}' is not supported by slipway build`,
    {
      where,
      hint:
        family === 'nodejs'
          ? 'use BuildMethod: esbuild to bundle, or no BuildMethod to package CodeUri with its production node_modules'
          : 'remove the BuildMethod to package CodeUri as it is (run your own build step before)',
    },
  );
}

export function functionBuilder(fn: FunctionModel, ctx: BuildContext): Builder {
  const where: Where = { ...fn.location, resource: fn.logicalId };
  const codeDir = fn.codeDir!;
  const method = fn.build?.method.toLowerCase();
  const exclude = (skipNodeModules: boolean): ReturnType<typeof sourceExclusions> =>
    sourceExclusions({ includeTests: ctx.includeTests, skipNodeModules, outDir: ctx.outDir, root: codeDir });
  const key = { includeTests: ctx.includeTests };
  if (fn.runtimeFamily === 'nodejs') {
    if (method === 'esbuild') return esbuildBuilder(fn, { sourcemap: ctx.sourcemap });
    if (method !== undefined && !method.startsWith('nodejs'))
      throw unsupportedMethod(fn.logicalId, fn.build!.method, where, 'nodejs');
    const tsFile = method === undefined ? typescriptHandlerFile(fn) : undefined;
    if (tsFile) return esbuildBuilder(fn, { sourcemap: ctx.sourcemap, tsFile });
    return nodeCopyBuilder({ logicalId: fn.logicalId, where, codeDir, exclude: exclude(true), key });
  }
  if (fn.runtimeFamily === 'python') {
    if (method !== undefined && !method.startsWith('python'))
      throw unsupportedMethod(fn.logicalId, fn.build!.method, where, 'python');
    return pythonBuilder({
      owner: { logicalId: fn.logicalId, where },
      runtime: fn.runtime,
      architectures: fn.architectures,
      codeDir,
      exclude: exclude(false),
      ctx,
      key,
    });
  }
  if (method !== undefined) throw unsupportedMethod(fn.logicalId, fn.build!.method, where, 'provided');
  return copyBuilder({ method: 'provided', root: codeDir, exclude: exclude(false), key });
}

export function layerBuilder(layer: LocalLayer, ctx: BuildContext): Builder {
  const where: Where | undefined = layer.location
    ? { ...layer.location, resource: layer.logicalId }
    : undefined;
  const exclude = (skipNodeModules: boolean): ReturnType<typeof sourceExclusions> =>
    sourceExclusions({
      includeTests: ctx.includeTests,
      skipNodeModules,
      outDir: ctx.outDir,
      root: layer.content,
    });
  const key = { includeTests: ctx.includeTests };
  const method = layer.buildMethod?.toLowerCase();
  if (method === undefined)
    return copyBuilder({ method: 'layer', root: layer.content, exclude: exclude(false), key });
  if (method.startsWith('python'))
    return pythonBuilder({
      owner: { logicalId: layer.logicalId, where },
      runtime: method,
      architectures: ['x86_64'],
      codeDir: layer.content,
      exclude: exclude(false),
      prefix: 'python/',
      ctx,
      key,
    });
  if (method.startsWith('nodejs'))
    return nodeCopyBuilder({
      logicalId: layer.logicalId,
      where,
      codeDir: layer.content,
      exclude: exclude(true),
      prefix: 'nodejs/',
      key,
    });
  throw unsupportedMethod(layer.logicalId, layer.buildMethod!, where, 'layer');
}
