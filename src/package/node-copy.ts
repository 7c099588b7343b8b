/**
 * Node.js without bundling, as `sam build`'s npm builder lays it out: the CodeUri folder (minus
 * node_modules and test artefacts) plus the production packages from its node_modules.
 */
import { mergeContent, walkTree, excludeLitter, type PackageContent } from './source-tree.ts';
import { productionPackages } from './node-modules.ts';
import { contentAsInputs, type Builder } from './types.ts';
import type { Exclude } from './source-tree.ts';
import type { Where } from '../shared/errors.ts';

/** Inside an installed package: litter only, and its own node_modules (resolved separately). */
const packageExclusions: Exclude = (name, _rel, isDir) =>
  excludeLitter(name) || (isDir && name === 'node_modules');

/** The CodeUri's node_modules folder alone (without the links in .bin folders). */
const onlyNodeModules: Exclude = (name, rel, isDir) =>
  rel.includes('/') ? excludeLitter(name) || (isDir && name === '.bin') : !(isDir && name === 'node_modules');

export function nodeCopyBuilder(opts: {
  logicalId: string;
  where?: Where;
  codeDir: string;
  exclude: Exclude;
  /** '' or e.g. 'nodejs/' for a layer. */
  prefix?: string;
  key?: Record<string, unknown>;
}): Builder {
  const prefix = opts.prefix ?? '';
  let walked: Promise<PackageContent> | undefined;
  const walk = async (): Promise<PackageContent> => {
    const sources = await walkTree(opts.codeDir, opts.exclude, prefix);
    const packages = await productionPackages(opts.codeDir, { logicalId: opts.logicalId, where: opts.where });
    if (packages === undefined) {
      // No package.json: nothing says what is production, so node_modules goes in whole.
      return mergeContent(sources, await walkTree(opts.codeDir, onlyNodeModules, prefix));
    }
    const parts = await Promise.all(
      packages.map((p) => walkTree(p.dir, packageExclusions, `${prefix}${p.zipDir}/`)),
    );
    return mergeContent(sources, ...parts);
  };
  const content = (): Promise<PackageContent> => (walked ??= walk());
  return {
    method: 'nodejs',
    configKey: () => Promise.resolve(JSON.stringify({ method: 'nodejs', prefix, ...opts.key })),
    inputs: async () => contentAsInputs(await content()),
    produce: async () => {
      const c = await content();
      return { content: c, inputs: contentAsInputs(c) };
    },
  };
}
