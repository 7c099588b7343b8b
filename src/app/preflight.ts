/**
 * Checks before running a function that turn the commonest mistakes into one clear message
 * (which function, which handler, which folder) instead of an init error inside the environment.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FunctionModel } from '../project/model.ts';
import { SlipwayError } from '../shared/errors.ts';

const NODE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

function candidates(fn: FunctionModel, codeDir: string): string[] {
  switch (fn.runtimeFamily) {
    case 'nodejs': {
      const entries = fn.build?.method === 'esbuild' ? (fn.build.esbuild?.entryPoints ?? []) : [];
      if (entries.length > 0) return entries.map((e) => join(codeDir, e));
      const modulePath = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
      return NODE_EXTENSIONS.flatMap((ext) => [
        join(codeDir, modulePath + ext),
        join(codeDir, modulePath, 'index' + ext),
      ]);
    }
    case 'python': {
      const modulePath = fn.handler.slice(0, fn.handler.lastIndexOf('.')).replace(/\./g, '/');
      return [join(codeDir, modulePath + '.py'), join(codeDir, modulePath, '__init__.py')];
    }
    case 'provided':
      return [
        join(codeDir, 'bootstrap'),
        ...fn.layers.flatMap((l) => (l.contentDir ? [join(l.contentDir, 'bootstrap')] : [])),
      ];
  }
}

/** Throws a SlipwayError when the function's handler file is not where its template says. */
export function checkHandlerFile(fn: FunctionModel, projectDir: string): void {
  if (fn.inlineCode !== undefined || fn.packageType === 'Image' || fn.codeZip !== undefined) return;
  const codeDir = fn.codeDir;
  if (codeDir === undefined || !existsSync(codeDir) || !statSync(codeDir).isDirectory()) {
    throw new SlipwayError(
      'CodeUriNotFound',
      `${fn.logicalId}: CodeUri folder ${codeDir ?? '(none)'} does not exist`,
      {
        where: { ...fn.location, resource: fn.logicalId },
        hint: 'point CodeUri at the folder holding the handler, relative to the template',
      },
    );
  }
  if (fn.runtimeFamily !== 'provided' && fn.handler.lastIndexOf('.') <= 0) {
    throw new SlipwayError(
      'HandlerInvalid',
      `${fn.logicalId}: Handler '${fn.handler}' is not of the form file.function`,
      {
        where: { ...fn.location, resource: fn.logicalId },
        hint:
          fn.runtimeFamily === 'python'
            ? 'e.g. Handler: app.lambda_handler for app.py'
            : 'e.g. Handler: app.handler for app.js',
      },
    );
  }
  const tried = candidates(fn, codeDir);
  const found = tried.find((p) => existsSync(p));
  const shown = (p: string): string => relative(projectDir, p) || p;
  if (!found) {
    throw new SlipwayError(
      'HandlerNotFound',
      `${fn.logicalId}: no file for Handler '${fn.handler}' in ${codeDir} (looked for ${tried.slice(0, 6).map(shown).join(', ')}${tried.length > 6 ? ', …' : ''})`,
      {
        where: { ...fn.location, resource: fn.logicalId },
        hint:
          fn.runtimeFamily === 'provided'
            ? 'a provided runtime needs an executable file named bootstrap in CodeUri'
            : 'check Handler and CodeUri in the template',
      },
    );
  }
  if (fn.runtimeFamily === 'provided') {
    try {
      accessSync(found, constants.X_OK);
    } catch {
      throw new SlipwayError('BootstrapNotExecutable', `${fn.logicalId}: ${shown(found)} is not executable`, {
        where: { ...fn.location, resource: fn.logicalId },
        hint: `chmod +x ${found}`,
      });
    }
  }
}
