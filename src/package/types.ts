/** The package layer's public shapes (deploy imports these) and the builder interface. */
import type { Project } from '../project/model.ts';
import type { ContentHashes } from './content-hashes.ts';
import type { ArtifactManifest } from './manifest.ts';
import type { FileStat, PackageContent } from './source-tree.ts';

export type ArtifactKind = 'function' | 'layer';
/** rebuilt: every entry compressed; patched: some entries copied from the previous zip; reused: zip untouched. */
export type ArtifactStatus = 'rebuilt' | 'reused' | 'patched';

export interface BuiltArtifact {
  logicalId: string;
  kind: ArtifactKind;
  /** The deployed function's name (functions only). */
  functionName?: string;
  /** Absolute path of the zip (`<out>/<LogicalId>.zip`, or the template's own .zip CodeUri). */
  zipPath: string;
  /** base64 sha256 of the zip, as the Lambda API reports it. */
  codeSha256: string;
  /** Zip size in bytes. */
  size: number;
  /** Sum of the entries' uncompressed sizes. */
  unzippedSize: number;
  status: ArtifactStatus;
  /** 's3' when the zip is over the 50 MB a direct upload accepts. */
  uploadVia: 'direct' | 's3';
  /** How it was built: esbuild, nodejs (copy), python, provided, layer, prebuilt. */
  method: string;
  durationMs: number;
}

export interface BuildResult {
  artifacts: BuiltArtifact[];
}

export interface BuildOptions {
  project: Project;
  /** Where `<LogicalId>.zip` and the cache (`.cache/`) go. */
  outDir: string;
  /** Only these functions/layers (and the local layers those functions use); all when empty. */
  logicalIds?: string[];
  /** pip installs from this folder only (`--no-index --find-links`). */
  wheelhouse?: string;
  /** Ignore the cache: rebuild every artefact from its sources. */
  force?: boolean;
  /** Timestamp of every zip entry (seconds); 1980-01-01 when absent (SOURCE_DATE_EPOCH). */
  sourceDateEpoch?: number;
  /** Keep test artefacts (`*.test.*`, `tests/`, `__tests__/`) in the packages. */
  includeTests?: boolean;
  /** Source maps for the functions Slipway bundles itself (TypeScript handlers without BuildMethod). */
  sourcemap?: boolean;
  /** Environment for child processes (pip) and PATH lookups. */
  env: NodeJS.ProcessEnv;
  /** Progress lines (one per artefact start/finish, pip installs, large zips). */
  progress?: (message: string) => void;
  /** Non-fatal notices (over 50 MB, functions that are not built). */
  warn?: (message: string) => void;
}

/** One input file of an artefact, as the fingerprint sees it. */
export interface InputFile {
  /** Entry name for packaged files; absolute path for inputs that are not packaged as they are. */
  key: string;
  path: string;
  executable: boolean;
  stat: FileStat;
}

export interface InputSet {
  files: InputFile[];
  /** Folder entries (they are bytes of the zip too). */
  dirs: string[];
}

export interface Produced {
  content: PackageContent;
  /** What the fingerprint records: the packaged files, or (bundles) the files the bundle was made from. */
  inputs: InputSet;
  /** Recorded in the manifest when the inputs are only known after a build (esbuild's metafile). */
  inputPaths?: string[];
}

/** Shared by every artefact of one build. */
export interface BuildContext {
  outDir: string;
  cacheDir: string;
  hashes: ContentHashes;
  epochSeconds: number;
  includeTests: boolean;
  sourcemap: boolean;
  /** Ignore every cache (manifests, content hashes, installed requirements). */
  force: boolean;
  wheelhouse?: string;
  env: NodeJS.ProcessEnv;
  progress: (message: string) => void;
  warn: (message: string) => void;
  /** One pip install per requirements content, even when several functions share it. */
  pending: Map<string, Promise<string>>;
}

/** Turns sources into package content for one artefact. */
export interface Builder {
  /** esbuild, nodejs, python, provided, layer. */
  method: string;
  /** Everything besides file contents that decides the zip's bytes (options, tool versions). */
  configKey(): Promise<string>;
  /** The inputs known without building (a walk), or undefined when only a build can tell. */
  inputs(previous: ArtifactManifest | undefined): Promise<InputSet | undefined>;
  produce(): Promise<Produced>;
}

export function contentAsInputs(content: PackageContent): InputSet {
  return {
    files: content.files.flatMap((f) =>
      typeof f.source === 'string' && f.stat
        ? [{ key: f.name, path: f.source, executable: f.executable, stat: f.stat }]
        : [],
    ),
    dirs: content.dirs,
  };
}
