/**
 * Checks before running a function that turn the commonest mistakes into one clear message
 * (which function, which handler, which folder) instead of an init error inside the environment.
 */
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FunctionModel } from '../project/model.ts';
import { invalidHandlerError } from '../project/runtimes.ts';
import { splitHandler } from '../project/handler.ts';
import { NODE_MODULE_EXTENSIONS } from '../runtime/node-code.ts';
import { providedBootstrap } from '../runtime/runtimes.ts';
import { SlipwayError } from '../shared/errors.ts';

/** The module part of the handler, as the runtime resolves it (Node: first dot after the last slash). */
function handlerModule(fn: FunctionModel): string | undefined {
  if (fn.runtimeFamily === 'nodejs') return splitHandler(fn.handler)?.module;
  const dot = fn.handler.lastIndexOf('.');
  return dot > 0 ? fn.handler.slice(0, dot) : undefined;
}

/** Files the Node.js or Python runtime would load the handler from. */
function candidates(fn: FunctionModel, codeDir: string, module: string): string[] {
  if (fn.runtimeFamily === 'python') {
    const modulePath = module.replace(/\./g, '/');
    return [join(codeDir, modulePath + '.py'), join(codeDir, modulePath, '__init__.py')];
  }
  const entries = fn.build?.method === 'esbuild' ? (fn.build.esbuild?.entryPoints ?? []) : [];
  if (entries.length > 0) return entries.map((e) => join(codeDir, e));
  return NODE_MODULE_EXTENSIONS.flatMap((ext) => [
    join(codeDir, module + ext),
    join(codeDir, module, 'index' + ext),
  ]);
}

/** Throws a SlipwayError when the function's handler file is not where its template says. */
export function checkHandlerFile(fn: FunctionModel, projectDir: string): void {
  if (fn.inlineCode !== undefined || fn.packageType === 'Image' || fn.codeZip !== undefined) return;
  const codeDir = fn.codeDir;
  const where = { ...fn.location, resource: fn.logicalId };
  if (codeDir === undefined || !existsSync(codeDir) || !statSync(codeDir).isDirectory()) {
    throw new SlipwayError(
      'CodeUriNotFound',
      `${fn.logicalId}: CodeUri folder ${codeDir ?? '(none)'} does not exist`,
      {
        where,
        hint: 'point CodeUri at the folder holding the handler, relative to the template',
      },
    );
  }
  const shown = (p: string): string => relative(projectDir, p) || p;
  if (fn.runtimeFamily === 'provided') {
    // The same lookup the runtime launches with (the code folder, then layers).
    const boot = providedBootstrap(fn);
    if (boot.reason === 'missing')
      throw new SlipwayError(
        'HandlerNotFound',
        `${fn.logicalId}: no file for Handler '${fn.handler}' in ${codeDir} (looked for ${shown(boot.path)})`,
        {
          where,
          hint: 'a provided runtime needs an executable file named bootstrap in CodeUri',
        },
      );
    if (boot.reason === 'not-executable')
      throw new SlipwayError(
        'BootstrapNotExecutable',
        `${fn.logicalId}: ${shown(boot.path)} is not executable`,
        {
          where,
          hint: `chmod +x ${boot.path}`,
        },
      );
    return;
  }
  const module = handlerModule(fn);
  if (module === undefined) throw invalidHandlerError(fn);
  const tried = candidates(fn, codeDir, module);
  if (!tried.some((p) => existsSync(p))) {
    throw new SlipwayError(
      'HandlerNotFound',
      `${fn.logicalId}: no file for Handler '${fn.handler}' in ${codeDir} (looked for ${tried.slice(0, 6).map(shown).join(', ')}${tried.length > 6 ? ', …' : ''})`,
      { where, hint: 'check Handler and CodeUri in the template' },
    );
  }
}
