/** SAM `Metadata: BuildMethod` / `BuildProperties` → `FunctionBuild` (esbuild properties typed). */
import { isRecord } from './diagnostics.ts';
import type { EsbuildBuildProperties, FunctionBuild } from './model.ts';

export function buildOf(metadata: Record<string, unknown>): FunctionBuild | undefined {
  const method = metadata['BuildMethod'];
  if (typeof method !== 'string') return undefined;
  const build: FunctionBuild = { method };
  const props = metadata['BuildProperties'];
  if (method === 'esbuild') build.esbuild = isRecord(props) ? esbuildProperties(props) : {};
  return build;
}

function strings(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return undefined;
}

function bool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** `['.js=.mjs']` (SAM's list of `from=to`) → `{ '.js': '.mjs' }`. */
function pairs(value: unknown): Record<string, string> | undefined {
  const list = strings(value);
  if (!list)
    return isRecord(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
      : undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function esbuildProperties(p: Record<string, unknown>): EsbuildBuildProperties {
  const out: EsbuildBuildProperties = {};
  const entryPoints = strings(p['EntryPoints']);
  if (entryPoints) out.entryPoints = entryPoints;
  if (p['Format'] === 'esm' || p['Format'] === 'cjs') out.format = p['Format'];
  const outExtension = pairs(p['OutExtension']);
  if (outExtension) out.outExtension = outExtension;
  const external = strings(p['External']);
  if (external) out.external = external;
  if (typeof p['Target'] === 'string') out.target = p['Target'];
  const minify = bool(p['Minify']);
  if (minify !== undefined) out.minify = minify;
  const sourcemap = bool(p['Sourcemap']);
  if (sourcemap !== undefined) out.sourcemap = sourcemap;
  const mainFields = strings(p['MainFields']);
  if (mainFields) out.mainFields = mainFields;
  const loader = pairs(p['Loader']);
  if (loader) out.loader = loader;
  if (typeof p['Banner'] === 'string') out.banner = p['Banner'];
  else if (Array.isArray(p['Banner'])) out.banner = p['Banner'].map(String).join('\n');
  return out;
}
