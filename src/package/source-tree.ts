/**
 * Lists the files that go into a package: a folder walked in a fixed way, symbolic links followed
 * (their content is packaged; a link that leads back into a folder being walked is skipped),
 * with the exclusions Lambda packages want.
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** What the build cache needs to know about a file without reading it. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** One file of a package. */
export interface PackageFile {
  /** Posix path inside the zip. */
  name: string;
  /** Absolute path of the source file, or the generated content (bundles). */
  source: string | Buffer;
  size: number;
  executable: boolean;
  /** For source files: what the content-hash index compares. */
  stat?: FileStat;
}

export interface PackageContent {
  files: PackageFile[];
  /** Folder names inside the zip, each ending with '/'. */
  dirs: string[];
}

/** Decides whether a folder entry is left out; `rel` is its path below the walked root. */
export type Exclude = (name: string, rel: string, isDir: boolean) => boolean;

/** Names never packaged, from any folder (VCS, OS and interpreter litter). */
const ALWAYS_EXCLUDED = new Set(['.git', '.DS_Store', '__pycache__']);
/** Test artefacts, left out of the function's own sources unless --include-tests. */
const TEST_DIRS = new Set(['tests', '__tests__']);
const TEST_FILE = /\.test\.[^/]+$/;

export function excludeLitter(name: string): boolean {
  return ALWAYS_EXCLUDED.has(name) || name.endsWith('.pyc');
}

/**
 * The exclusions for a function's or layer's own sources: litter, Slipway's and SAM's build
 * folders, the output folder, and (unless kept) test artefacts. `node_modules` is left out when the
 * Node.js builder adds the production packages itself.
 */
export function sourceExclusions(opts: {
  includeTests: boolean;
  skipNodeModules: boolean;
  outDir: string;
  root: string;
}): Exclude {
  const outDir = resolve(opts.outDir);
  return (name, rel, isDir) => {
    if (excludeLitter(name)) return true;
    if (isDir && (name === '.slipway' || name === '.aws-sam')) return true;
    if (isDir && opts.skipNodeModules && name === 'node_modules') return true;
    if (isDir && resolve(opts.root, rel) === outDir) return true;
    if (opts.includeTests) return false;
    return isDir ? TEST_DIRS.has(name) : TEST_FILE.test(name);
  };
}

export function fileStat(s: Stats): FileStat {
  return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
}

interface WalkState {
  files: PackageFile[];
  dirs: string[];
  exclude: Exclude;
}

/**
 * Synchronous on purpose: a walk is thousands of stat calls, and one system call on the main
 * thread costs a few microseconds where a round trip through the thread pool costs tens.
 */
function walkDir(
  state: WalkState,
  dir: string,
  rel: string,
  prefix: string,
  ancestors: ReadonlySet<number>,
): void {
  for (const name of readdirSync(dir).sort()) {
    let s: Stats;
    try {
      s = statSync(join(dir, name)); // follows symbolic links
    } catch {
      continue; // a dangling link, or a file removed meanwhile: not packaged
    }
    const childRel = rel ? `${rel}/${name}` : name;
    if (s.isDirectory()) {
      if (state.exclude(name, childRel, true) || ancestors.has(s.ino)) continue;
      state.dirs.push(`${prefix}${childRel}/`);
      walkDir(state, join(dir, name), childRel, prefix, new Set([...ancestors, s.ino]));
    } else if (s.isFile()) {
      if (state.exclude(name, childRel, false)) continue;
      state.files.push({
        name: prefix + childRel,
        source: join(dir, name),
        size: s.size,
        executable: (s.mode & 0o111) !== 0,
        stat: fileStat(s),
      });
    }
  }
}

/**
 * Every file below `root` (sorted later by the zip writer), named `prefix + relative path`.
 * `prefix` is '' or ends with '/' (e.g. 'python/' for a layer); it is listed as a folder itself.
 */
export async function walkTree(root: string, exclude: Exclude, prefix = ''): Promise<PackageContent> {
  const state: WalkState = { files: [], dirs: [], exclude };
  const rootStat = await stat(root);
  if (prefix) state.dirs.push(...prefixDirs(prefix));
  walkDir(state, root, '', prefix, new Set([rootStat.ino]));
  return { files: state.files, dirs: state.dirs };
}

/** 'a/b/' → ['a/', 'a/b/']. */
export function prefixDirs(prefix: string): string[] {
  const parts = prefix.split('/').filter(Boolean);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/') + '/');
}

/** Merges contents; a name already present keeps its first source (builders list in priority order). */
export function mergeContent(...parts: PackageContent[]): PackageContent {
  const seen = new Set<string>();
  const files: PackageFile[] = [];
  for (const part of parts)
    for (const f of part.files) {
      if (seen.has(f.name)) continue;
      seen.add(f.name);
      files.push(f);
    }
  return { files, dirs: [...new Set(parts.flatMap((p) => p.dirs))] };
}

/** Every folder the files sit in, plus the listed ones: the zip's folder entries. */
export function allDirs(content: PackageContent): string[] {
  const dirs = new Set(content.dirs);
  for (const f of content.files) {
    let i = f.name.indexOf('/');
    while (i > 0) {
      dirs.add(f.name.slice(0, i + 1));
      i = f.name.indexOf('/', i + 1);
    }
  }
  return [...dirs];
}
