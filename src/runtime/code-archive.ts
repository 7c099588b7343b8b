/**
 * `CodeUri: dist/fn.zip` (and layer `ContentUri` archives): Lambda unpacks the deployment package
 * into /var/task (layers into /opt); Slipway unpacks it once per archive content into the state
 * directory and runs the function from there. The directory is named by the archive's sha256, so an
 * unchanged archive is never unpacked twice and a changed one gets a fresh directory (which the
 * runtime sees as new code). Entries keep their Unix mode (a `bootstrap` stays executable); entry
 * names that would leave the directory (absolute, `..`) are refused by yauzl's name validation.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Entry, ZipFile } from 'yauzl';
import type { FunctionModel } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';

/** Lambda's own limit for the unzipped deployment package (with layers). */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const COMPLETE_MARKER = '.slipway-unpacked';

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** yauzl is loaded on the first archive: most projects have none, and `slipway invoke` starts faster. */
async function openZip(path: string): Promise<ZipFile> {
  const { default: yauzl } = await import('yauzl');
  return new Promise((resolvePromise, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) =>
      err ? reject(err) : resolvePromise(zip),
    ),
  );
}

function entryStream(zip: ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolvePromise, reject) =>
    zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolvePromise(stream))),
  );
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

async function extract(zipPath: string, into: string): Promise<void> {
  const zip = await openZip(zipPath);
  let total = 0;
  await new Promise<void>((resolvePromise, reject) => {
    const fail = (err: unknown): void => {
      zip.close();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    zip.on('error', fail);
    zip.on('end', () => resolvePromise());
    zip.on('entry', (entry: Entry) => {
      void (async () => {
        const target = resolve(into, entry.fileName);
        if (!inside(into, target)) throw new Error(`entry ${entry.fileName} would leave the code directory`);
        const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
        const type = mode & S_IFMT;
        if (entry.fileName.endsWith('/') || type === S_IFDIR) {
          await mkdir(target, { recursive: true });
        } else if (type === S_IFLNK) {
          const chunks: Buffer[] = [];
          for await (const chunk of await entryStream(zip, entry)) chunks.push(chunk as Buffer);
          const link = Buffer.concat(chunks).toString('utf8');
          if (!inside(into, resolve(dirname(target), link)))
            throw new Error(`symbolic link ${entry.fileName} -> ${link} points outside the code directory`);
          await mkdir(dirname(target), { recursive: true });
          await symlink(link, target);
        } else {
          total += entry.uncompressedSize;
          if (total > MAX_UNZIPPED_BYTES)
            throw new Error(`it unpacks to more than Lambda's ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB limit`);
          await mkdir(dirname(target), { recursive: true });
          await pipeline(await entryStream(zip, entry), createWriteStream(target));
          // Zips made on Windows carry no Unix mode: files are then 0644, as Lambda treats them.
          await chmod(target, mode & 0o777 ? mode & 0o777 : 0o644);
        }
        zip.readEntry();
      })().catch(fail);
    });
    zip.readEntry();
  });
}

/** Unpacks `zipPath` under `<stateDir>/runtime/archives/` (once per content) and returns the directory. */
export async function unpackCodeArchive(zipPath: string, stateDir: string, owner: string): Promise<string> {
  let digest: string;
  try {
    digest = await sha256File(zipPath);
  } catch (err) {
    throw new SlipwayError(
      'CodeArchiveUnreadable',
      `${owner}: cannot read ${zipPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      {
        hint: 'point CodeUri at an existing .zip file or at the source folder',
      },
    );
  }
  const dir = join(stateDir, 'runtime', 'archives', digest.slice(0, 32));
  if (existsSync(join(dir, COMPLETE_MARKER))) return dir;
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await extract(zipPath, staging);
    await writeFile(join(staging, COMPLETE_MARKER), `${zipPath}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw new SlipwayError(
      'CodeArchiveInvalid',
      `${owner}: cannot unpack ${zipPath}: ${(err as Error).message}`,
      {
        hint: 'rebuild the archive (a valid zip, under 250 MB unzipped)',
      },
    );
  }
  return dir;
}

function isZip(path: string | undefined): path is string {
  return path !== undefined && path.toLowerCase().endsWith('.zip');
}

/**
 * Returns the functions with every `.zip` CodeUri (and `.zip` layer content) unpacked and
 * `codeDir` / `contentDir` pointing at the unpacked directory. Functions without archives are
 * returned as they are.
 */
export async function resolveCodeArchives(
  functions: FunctionModel[],
  stateDir: string,
): Promise<FunctionModel[]> {
  return Promise.all(
    functions.map(async (fn) => {
      const zipLayers = fn.layers.some((l) => isZip(l.contentDir));
      if (fn.codeZip === undefined && !zipLayers) return fn;
      const codeDir = fn.codeZip ? await unpackCodeArchive(fn.codeZip, stateDir, fn.logicalId) : fn.codeDir;
      const layers = await Promise.all(
        fn.layers.map(async (l) =>
          isZip(l.contentDir)
            ? {
                ...l,
                contentDir: await unpackCodeArchive(
                  l.contentDir,
                  stateDir,
                  `${fn.logicalId} layer ${l.logicalId ?? l.arn}`,
                ),
              }
            : l,
        ),
      );
      return { ...fn, codeDir, codeZip: fn.codeZip, layers };
    }),
  );
}

/** Files whose change means the function's code changed although no watched folder did. */
export function codeArchivePaths(functions: FunctionModel[]): string[] {
  const paths = new Set<string>();
  for (const fn of functions) {
    if (fn.codeZip) paths.add(fn.codeZip);
    for (const l of fn.layers) if (isZip(l.contentDir)) paths.add(l.contentDir);
  }
  return [...paths];
}
