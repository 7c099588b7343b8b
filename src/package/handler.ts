/**
 * Is the handler in the package where the Lambda runtime will look for it? Node.js: the module
 * part of `Handler` (up to the first dot after the last slash) with no extension, `.js`, `.mjs` or
 * `.cjs`; Python: the module part (up to the last dot, '/' or '.' separated) as `.py` or a
 * package's `__init__.py`; provided: an executable `bootstrap` at the root (or in a layer).
 */
import { splitHandler } from '../project/handler.ts';
import type { FunctionModel } from '../project/model.ts';
import { invalidHandlerError } from '../project/runtimes.ts';
import { SlipwayError } from '../shared/errors.ts';

/** An entry of the package as the check sees it. */
export interface PackagedName {
  name: string;
  executable: boolean;
}

const NODE_EXTENSIONS = ['', '.js', '.mjs', '.cjs'];

/** `src/app.handler` → `src/app` (Node.js: the first dot after the last slash). */
export function nodeHandlerModule(handler: string): string | undefined {
  return splitHandler(handler)?.module;
}

/** `pkg.mod.handler` / `pkg/mod.handler` → `pkg/mod` (Python: up to the last dot). */
export function pythonHandlerModule(handler: string): string | undefined {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) return undefined;
  return handler.slice(0, dot).replace(/\./g, '/');
}

/** The files the runtime would load the handler from, in its order. */
export function handlerCandidates(
  fn: Pick<FunctionModel, 'runtimeFamily' | 'handler'>,
): string[] | undefined {
  if (fn.runtimeFamily === 'provided') return ['bootstrap'];
  if (fn.runtimeFamily === 'python') {
    const m = pythonHandlerModule(fn.handler);
    return m === undefined ? undefined : [`${m}.py`, `${m}/__init__.py`];
  }
  const m = nodeHandlerModule(fn.handler);
  return m === undefined ? undefined : NODE_EXTENSIONS.map((ext) => m + ext);
}

/** What the package holds near `path`: the entries of its folder, else the top level. */
export function entriesNear(names: readonly string[], path: string, max = 8): string[] {
  const slash = path.lastIndexOf('/');
  const dir = slash >= 0 ? path.slice(0, slash + 1) : '';
  const inDir = (d: string): string[] =>
    [
      ...new Set(
        names
          .filter((n) => n.startsWith(d) && n.length > d.length)
          .map((n) => {
            const rest = n.slice(d.length);
            const i = rest.indexOf('/');
            return d + (i >= 0 ? rest.slice(0, i + 1) : rest);
          }),
      ),
    ].sort();
  const near = inDir(dir);
  const shown = near.length > 0 ? near : inDir('');
  return shown.length > max ? [...shown.slice(0, max), `… (${shown.length - max} more)`] : shown;
}

/**
 * Throws HandlerNotFound (or BootstrapNotExecutable) naming the handler and what the package holds
 * near that path. `layerNames`: the root entries of the function's local layers (a `bootstrap` may
 * come from a layer, which Lambda unpacks in /opt).
 */
export function checkHandler(
  fn: Pick<FunctionModel, 'logicalId' | 'runtimeFamily' | 'handler' | 'location'>,
  entries: readonly PackagedName[],
  layerNames: readonly PackagedName[] = [],
): void {
  const where = { ...fn.location, resource: fn.logicalId };
  const candidates = handlerCandidates(fn);
  if (candidates === undefined) throw invalidHandlerError(fn);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const found = candidates.map((c) => byName.get(c)).find((e) => e !== undefined);
  if (fn.runtimeFamily === 'provided') {
    const boot = found ?? layerNames.find((e) => e.name === 'bootstrap');
    if (boot && !boot.executable)
      throw new SlipwayError(
        'BootstrapNotExecutable',
        `${fn.logicalId}: bootstrap is in the package but not executable`,
        {
          where,
          hint: 'chmod +x bootstrap in CodeUri (the zip keeps the executable bit)',
        },
      );
    if (boot) return;
  } else if (found) return;
  const names = entries.map((e) => e.name);
  const near = entriesNear(names, candidates[0]!);
  throw new SlipwayError(
    'HandlerNotFound',
    `${fn.logicalId}: Handler '${fn.handler}' has no file in the package (Lambda looks for ${candidates
      .filter(Boolean)
      .join(', ')}); near that path the package holds: ${near.length ? near.join(', ') : '(nothing)'}`,
    {
      where,
      hint:
        fn.runtimeFamily === 'provided'
          ? 'a provided runtime needs an executable file named bootstrap at the root of CodeUri (or in a layer)'
          : 'check Handler and CodeUri in the template (and EntryPoints/OutExtension for BuildMethod: esbuild)',
    },
  );
}
