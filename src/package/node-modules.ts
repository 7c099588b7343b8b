/**
 * The production packages of a Node.js function: every package reachable from package.json's
 * `dependencies` (and `optionalDependencies`, and `peerDependencies` that are installed), found
 * the way Node's resolver finds them (`node_modules` of the folder, then of each parent), and
 * where each must sit in the zip for the same lookup to find it under /var/task. devDependencies
 * are never reached. Nothing is installed: the packages come from the node_modules already there
 * (npm, yarn, pnpm; hoisted into a parent folder in a workspace, or linked).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SlipwayError, type Where } from '../shared/errors.ts';

export interface ProductionPackage {
  name: string;
  /** Folder in the zip, e.g. `node_modules/a/node_modules/b` (without the artefact's prefix). */
  zipDir: string;
  /** Folder on disk to copy (links resolved). */
  dir: string;
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface Requirer {
  /** The folder Node resolves from (as reached, links not resolved). */
  logical: string;
  zipDir: string;
  label: string;
}

interface Wanted {
  name: string;
  /** Not installed is fine (optional and peer dependencies). */
  optional: boolean;
}

async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function zipParent(zipDir: string): string {
  const i = zipDir.lastIndexOf('/');
  return i < 0 ? '' : zipDir.slice(0, i);
}

const zipJoin = (...parts: string[]): string => parts.filter(Boolean).join('/');

function wanted(pkg: PackageJson): Wanted[] {
  const out = new Map<string, Wanted>();
  for (const name of Object.keys(pkg.peerDependencies ?? {})) out.set(name, { name, optional: true });
  for (const name of Object.keys(pkg.optionalDependencies ?? {})) out.set(name, { name, optional: true });
  for (const name of Object.keys(pkg.dependencies ?? {}))
    if (!out.has(name) || !pkg.optionalDependencies?.[name]) out.set(name, { name, optional: false });
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Node's lookup from `from` (node_modules of each folder up to the root, skipping folders that
 * are themselves named node_modules), walking the zip's folders up in step: a package found in a
 * folder above the function's own maps to the zip's top-level node_modules.
 */
async function lookup(
  from: string,
  fromZip: string,
  name: string,
): Promise<{ logical: string; zipDir: string } | undefined> {
  let dir = from;
  let zip = fromZip;
  for (;;) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (await isDir(candidate)) return { logical: candidate, zipDir: zipJoin(zip, 'node_modules', name) };
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
    zip = zipParent(zip);
  }
}

async function resolveDependency(
  requirer: Requirer,
  name: string,
): Promise<{ logical: string; zipDir: string } | undefined> {
  const found = await lookup(requirer.logical, requirer.zipDir, name);
  if (found) return found;
  // A linked package (pnpm, workspaces) finds its dependencies beside its real location: they go
  // into its own node_modules in the zip, where Node will look first.
  const real = await realpath(requirer.logical).catch(() => requirer.logical);
  if (real === requirer.logical) return undefined;
  const beside = await lookup(real, '', name);
  return beside
    ? { logical: beside.logical, zipDir: zipJoin(requirer.zipDir, 'node_modules', name) }
    : undefined;
}

/**
 * The production packages for the function in `codeDir`, or undefined when there is no
 * package.json (then its node_modules, if any, is copied whole).
 */
export async function productionPackages(
  codeDir: string,
  owner: { logicalId: string; where?: Where },
): Promise<ProductionPackage[] | undefined> {
  const root = await readPackageJson(codeDir);
  if (!root) return undefined;
  const placed = new Map<string, ProductionPackage>();
  const queue: Array<{ requirer: Requirer; deps: Wanted[] }> = [
    { requirer: { logical: codeDir, zipDir: '', label: 'package.json' }, deps: wanted(root) },
  ];
  while (queue.length > 0) {
    const { requirer, deps } = queue.shift()!;
    for (const dep of deps) {
      const found = await resolveDependency(requirer, dep.name);
      if (!found) {
        if (dep.optional) continue;
        throw new SlipwayError(
          'DependencyNotInstalled',
          `${owner.logicalId}: '${dep.name}' (a dependency in ${requirer.label}) is not installed: no node_modules/${dep.name} from ${codeDir} upwards`,
          {
            where: owner.where,
            hint: `run npm install (or npm ci) in ${codeDir}; slipway build copies the installed production packages, it does not install them`,
          },
        );
      }
      if (placed.has(found.zipDir)) continue;
      const dir = await realpath(found.logical);
      placed.set(found.zipDir, { name: dep.name, zipDir: found.zipDir, dir });
      const pkg = await readPackageJson(dir);
      if (pkg)
        queue.push({
          requirer: { logical: found.logical, zipDir: found.zipDir, label: `${found.zipDir}/package.json` },
          deps: wanted(pkg),
        });
    }
  }
  return [...placed.values()].sort((a, b) => (a.zipDir < b.zipDir ? -1 : 1));
}
