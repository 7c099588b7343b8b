/**
 * The build cache's record of one artefact (`<out>/.cache/<LogicalId>.json`): the fingerprint of
 * its inputs (configuration + content hashes), the zip it produced and the content hash of every
 * entry, which tells the patcher which compressed bytes of that zip can be copied.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Bumped whenever the bytes Slipway writes for the same inputs change. */
export const MANIFEST_VERSION = 1;

export interface ArtifactManifest {
  version: number;
  /** sha256 over the build configuration and every input's name, mode and content hash. */
  fingerprint: string;
  /** Absolute paths of the inputs when they are known only after a build (esbuild's metafile). */
  inputs?: string[];
  zip: { codeSha256: string; size: number; mtimeMs: number; ino: number };
  unzippedSize: number;
  /** [entry name, content sha256 hex] of every file entry. */
  entries: Array<[string, string]>;
}

export function manifestPath(outDir: string, logicalId: string): string {
  return join(outDir, '.cache', `${logicalId}.json`);
}

export async function readManifest(path: string): Promise<ArtifactManifest | undefined> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as ArtifactManifest;
    return m.version === MANIFEST_VERSION && typeof m.fingerprint === 'string' && Array.isArray(m.entries)
      ? m
      : undefined;
  } catch {
    return undefined;
  }
}

export async function writeManifest(path: string, manifest: ArtifactManifest): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.partial`;
  await writeFile(temp, JSON.stringify(manifest));
  await rename(temp, path);
}

/** The zip's stat as the manifest records it (to know it was not replaced without re-hashing it). */
export async function zipStat(path: string): Promise<ArtifactManifest['zip'] | undefined> {
  try {
    const s = await stat(path);
    return { codeSha256: '', size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch {
    return undefined;
  }
}
