/**
 * The simplest builder: a folder packaged as it is (provided runtimes' CodeUri, layers without a
 * BuildMethod). Executable bits are kept (0755), everything else is 0644.
 */
import { walkTree, type Exclude, type PackageContent } from './source-tree.ts';
import { contentAsInputs, type Builder } from './types.ts';

export function copyBuilder(opts: {
  method: string;
  root: string;
  exclude: Exclude;
  /** '' or a folder inside the zip ending with '/'. */
  prefix?: string;
  /** Options that change the bytes, for the cache key. */
  key?: Record<string, unknown>;
}): Builder {
  let walked: Promise<PackageContent> | undefined;
  const walk = (): Promise<PackageContent> =>
    (walked ??= walkTree(opts.root, opts.exclude, opts.prefix ?? ''));
  return {
    method: opts.method,
    configKey: () =>
      Promise.resolve(JSON.stringify({ method: opts.method, prefix: opts.prefix ?? '', ...opts.key })),
    inputs: async () => contentAsInputs(await walk()),
    produce: async () => {
      const content = await walk();
      return { content, inputs: contentAsInputs(content) };
    },
  };
}
