/**
 * Lambda's limits on what is deployed, checked before anything is uploaded
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
import type { FunctionModel } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';
import type { PackageFile } from './source-tree.ts';

/** Largest zip CreateFunction/UpdateFunctionCode accept in the request itself (GetAccountSettings' CodeSizeZipped). */
export const MAX_DIRECT_UPLOAD_BYTES = 50 * 1024 * 1024;
/** The function's package and all its layers, unzipped (CodeSizeUnzipped). */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
/** Environment variables, measured as Lambda does: the JSON of the Variables map ("String measured: {…}"). */
export const MAX_ENVIRONMENT_BYTES = 4 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function environmentBytes(variables: Record<string, string>): number {
  return Object.keys(variables).length === 0 ? 0 : Buffer.byteLength(JSON.stringify(variables), 'utf8');
}

export function checkEnvironment(fn: FunctionModel): void {
  const bytes = environmentBytes(fn.environment);
  if (bytes <= MAX_ENVIRONMENT_BYTES) return;
  const biggest = Object.entries(fn.environment)
    .map(([k, v]) => [k, Buffer.byteLength(k) + Buffer.byteLength(v)] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, n]) => `${k} (${n} bytes)`);
  throw new SlipwayError(
    'EnvironmentTooLarge',
    `${fn.logicalId}: its environment variables take ${bytes} bytes, over Lambda's 4 KB limit (${MAX_ENVIRONMENT_BYTES} bytes, measured as Lambda does on the JSON of Environment.Variables); largest: ${biggest.join(', ')}`,
    {
      where: { ...fn.location, resource: fn.logicalId },
      hint: 'keep large values in SSM Parameter Store, Secrets Manager or S3 and read them when the function starts',
    },
  );
}

/** 'node_modules/@s/p/x.js' → 'node_modules/@s/p', 'node_modules/p/x' → 'node_modules/p', 'a/b/c' → 'a'. */
function contributor(name: string): string {
  const parts = name.split('/');
  const nm = parts.lastIndexOf('node_modules', parts.length - 2);
  if (nm >= 0) {
    const scoped = parts[nm + 1]?.startsWith('@') ? 2 : 1;
    return parts.slice(0, Math.min(parts.length, nm + 1 + scoped)).join('/');
  }
  return parts.length > 1 ? `${parts[0]}/` : name;
}

/** The five biggest folders (packages under node_modules) or files, by unzipped bytes. */
export function biggestContributors(files: readonly PackageFile[], count = 5): Array<[string, number]> {
  const sizes = new Map<string, number>();
  for (const f of files) {
    const key = contributor(f.name);
    sizes.set(key, (sizes.get(key) ?? 0) + f.size);
  }
  return [...sizes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, count);
}

export function checkUnzippedSize(
  owner: { logicalId: string; location?: FunctionModel['location'] },
  files: readonly PackageFile[],
  unzipped: number,
  layers: ReadonlyArray<{ logicalId: string; unzippedSize: number }>,
): void {
  const total = unzipped + layers.reduce((n, l) => n + l.unzippedSize, 0);
  if (total <= MAX_UNZIPPED_BYTES) return;
  const top = biggestContributors(files)
    .map(([name, n]) => `${name} ${formatBytes(n)}`)
    .join(', ');
  const layerText = layers.length
    ? `; its layers add ${layers.map((l) => `${l.logicalId} ${formatBytes(l.unzippedSize)}`).join(', ')}`
    : '';
  throw new SlipwayError(
    'PackageTooLarge',
    `${owner.logicalId}: the package unzips to ${formatBytes(total)}, over Lambda's 250 MB limit (package and layers, unzipped); biggest: ${top}${layerText}`,
    {
      where: owner.location ? { ...owner.location, resource: owner.logicalId } : undefined,
      hint: 'drop unused dependencies (devDependencies are never packaged), bundle with Metadata: BuildMethod: esbuild, or use a container image',
    },
  );
}
