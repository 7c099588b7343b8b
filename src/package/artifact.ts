/**
 * One artefact from its builder to `<out>/<LogicalId>.zip`, doing nothing that is not needed:
 * inputs unchanged (by content) and the zip intact → reused as it is; otherwise the content is
 * produced, checked, and zipped with every unchanged entry's compressed bytes copied from the
 * previous zip (patched) or all compressed (rebuilt).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sha256Hex } from './content-hashes.ts';
import { MAX_DIRECT_UPLOAD_BYTES, formatBytes } from './limits.ts';
import {
  MANIFEST_VERSION,
  manifestPath,
  readManifest,
  writeManifest,
  zipStat,
  type ArtifactManifest,
} from './manifest.ts';
import { allDirs, type PackageContent } from './source-tree.ts';
import type { ArtifactKind, BuildContext, BuiltArtifact, Builder, InputSet } from './types.ts';
import { readCentralDirectory, type CentralDirectoryEntry } from './zip-read.ts';
import { DEFLATE_LEVEL, writeZip, type PreviousZip, type ZipInput } from './zip.ts';
import { mapLimit } from './limit.ts';

/** Above this, the zip step reports its progress. */
const LARGE_PACKAGE_BYTES = 20 * 1024 * 1024;

export interface ArtifactPlan {
  logicalId: string;
  kind: ArtifactKind;
  functionName?: string;
  builder: Builder;
  /** Checks the produced content (handler present, size limits); throws a SlipwayError. */
  check(content: PackageContent, unzippedSize: number): void;
}

/** base64 sha256 of a file: Lambda's CodeSha256. */
export async function sha256Base64(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('base64');
}

interface Fingerprint {
  value: string;
  /** Content hash per input key. */
  hashes: Map<string, string>;
}

async function fingerprint(configKey: string, inputs: InputSet, ctx: BuildContext): Promise<Fingerprint> {
  const hashes = await mapLimit(inputs.files, 32, (f) => ctx.hashes.hash(f.path, f.stat));
  const lines = inputs.files.map((f, i) => `${f.key}\0${f.executable ? 755 : 644}\0${hashes[i]}`);
  lines.sort();
  const dirs = [...inputs.dirs].sort();
  return {
    value: sha256Hex([configKey, ...lines, '', ...dirs].join('\n')),
    hashes: new Map(inputs.files.map((f, i) => [f.key, hashes[i]!])),
  };
}

/** Is the zip on disk the one the manifest describes? By stat, else by its sha256. */
async function zipIntact(zipPath: string, manifest: ArtifactManifest): Promise<boolean> {
  const s = await zipStat(zipPath);
  if (!s || s.size !== manifest.zip.size) return false;
  if (s.mtimeMs === manifest.zip.mtimeMs && s.ino === manifest.zip.ino) return true;
  return (await sha256Base64(zipPath)) === manifest.zip.codeSha256;
}

async function previousZip(zipPath: string, manifest: ArtifactManifest): Promise<PreviousZip | undefined> {
  try {
    const byName = new Map((await readCentralDirectory(zipPath)).map((e) => [e.name, e]));
    const byHash = new Map<string, CentralDirectoryEntry>();
    for (const [name, hash] of manifest.entries) {
      const entry = byName.get(name);
      if (entry && !byHash.has(hash)) byHash.set(hash, entry);
    }
    return { path: zipPath, byHash };
  } catch {
    return undefined; // unreadable: everything is compressed again
  }
}

/** `withHashes`: hash the sources first (only useful when a previous zip may hold the same content). */
async function zipInputs(
  content: PackageContent,
  ctx: BuildContext,
  withHashes: boolean,
): Promise<ZipInput[]> {
  const files = await mapLimit(content.files, 32, async (f): Promise<ZipInput> => {
    const mode = f.executable ? 0o100755 : 0o100644;
    if (typeof f.source !== 'string') {
      const data = f.source;
      return {
        name: f.name,
        mode,
        size: data.length,
        hash: sha256Hex(data),
        read: () => Promise.resolve(data),
      };
    }
    const path = f.source;
    const hash = f.stat && withHashes ? await ctx.hashes.hash(path, f.stat) : undefined;
    return { name: f.name, mode, size: f.size, hash, read: () => readFile(path) };
  });
  return [...files, ...allDirs(content).map((name) => ({ name, mode: 0o040755, size: 0 }))];
}

function result(
  plan: ArtifactPlan,
  zipPath: string,
  m: Pick<ArtifactManifest, 'zip' | 'unzippedSize'>,
  status: BuiltArtifact['status'],
  started: number,
): BuiltArtifact {
  const out: BuiltArtifact = {
    logicalId: plan.logicalId,
    kind: plan.kind,
    zipPath,
    codeSha256: m.zip.codeSha256,
    size: m.zip.size,
    unzippedSize: m.unzippedSize,
    status,
    uploadVia: m.zip.size > MAX_DIRECT_UPLOAD_BYTES ? 's3' : 'direct',
    method: plan.builder.method,
    durationMs: Math.round(performance.now() - started),
  };
  if (plan.functionName !== undefined) out.functionName = plan.functionName;
  return out;
}

export async function buildArtifact(
  plan: ArtifactPlan,
  ctx: BuildContext,
  force: boolean,
): Promise<BuiltArtifact> {
  const started = performance.now();
  const zipPath = join(ctx.outDir, `${plan.logicalId}.zip`);
  const mPath = manifestPath(ctx.outDir, plan.logicalId);
  const previous = force ? undefined : await readManifest(mPath);
  const configKey = JSON.stringify({
    format: MANIFEST_VERSION,
    level: DEFLATE_LEVEL,
    epoch: ctx.epochSeconds,
    builder: await plan.builder.configKey(),
  });

  const listed = await plan.builder.inputs(previous);
  const intact = previous ? await zipIntact(zipPath, previous) : false;
  if (
    previous &&
    intact &&
    listed &&
    (await fingerprint(configKey, listed, ctx)).value === previous.fingerprint
  )
    return result(plan, zipPath, previous, 'reused', started);

  ctx.progress(`${plan.logicalId}: building (${plan.builder.method})`);
  const produced = await plan.builder.produce();
  const { content } = produced;
  const unzippedSize = content.files.reduce((n, f) => n + f.size, 0);
  plan.check(content, unzippedSize);

  const prior = previous && intact ? await previousZip(zipPath, previous) : undefined;
  const inputs = await zipInputs(content, ctx, prior !== undefined);
  if (unzippedSize > LARGE_PACKAGE_BYTES)
    ctx.progress(`${plan.logicalId}: zipping ${content.files.length} files (${formatBytes(unzippedSize)})`);
  const written = await writeZip(zipPath, inputs, { epochSeconds: ctx.epochSeconds, previous: prior });

  const sources = new Map(content.files.map((f) => [f.name, f]));
  for (const e of written.entries) {
    const f = sources.get(e.name);
    if (e.hash !== undefined && f?.stat && typeof f.source === 'string')
      ctx.hashes.remember(f.source, f.stat, e.hash);
  }
  const fp = await fingerprint(configKey, produced.inputs, ctx);
  // A file that changed while it was zipped: the zip holds other bytes than the fingerprint
  // says, so the fingerprint must not match next time.
  const stale = written.entries.some(
    (e) => e.hash !== undefined && fp.hashes.has(e.name) && fp.hashes.get(e.name) !== e.hash,
  );
  const s = await zipStat(zipPath);
  const manifest: ArtifactManifest = {
    version: MANIFEST_VERSION,
    fingerprint: stale ? '' : fp.value,
    zip: { codeSha256: written.codeSha256, size: written.size, mtimeMs: s?.mtimeMs ?? 0, ino: s?.ino ?? 0 },
    unzippedSize,
    entries: written.entries.flatMap((e) =>
      e.hash === undefined ? [] : [[e.name, e.hash] as [string, string]],
    ),
  };
  if (produced.inputPaths) manifest.inputs = produced.inputPaths;
  await writeManifest(mPath, manifest);
  const status = prior && written.reused > 0 ? 'patched' : 'rebuilt';
  return result(plan, zipPath, manifest, status, started);
}
