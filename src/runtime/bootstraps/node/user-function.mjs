// Finds and loads the handler `path/to/module.export.path` as Lambda's Node runtime does:
// `.js` `.mjs` `.cjs` (then `<module>/index.*`, then a package of that name), ESM or CommonJS by
// extension and the nearest package.json "type"; nested export paths (`a.b.c`).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuntimeError } from './errors.mjs';

const EXTENSIONS = ['.js', '.mjs', '.cjs'];

function splitHandler(handler) {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === handler.length - 1)
    throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  const module = handler.slice(0, dot);
  if (module.split('/').includes('..'))
    throw new RuntimeError('Runtime.MalformedHandlerName', "'../' not allowed in handler path");
  return { module, exportPath: handler.slice(dot + 1) };
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findModuleFile(root, module) {
  const base = resolve(root, module);
  for (const ext of EXTENSIONS) if (isFile(base + ext)) return base + ext;
  for (const ext of EXTENSIONS) if (isFile(join(base, 'index' + ext))) return join(base, 'index' + ext);
  return undefined;
}

function isEsm(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let d = dirname(file); ; d = dirname(d)) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (dirname(d) === d) return false;
  }
}

function importError(err, module) {
  if (err instanceof SyntaxError) {
    return new RuntimeError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`, err);
  }
  const code = err?.code;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    const m = /Cannot find (?:module|package) '([^']+)'/.exec(String(err.message));
    const missing = m ? m[1] : module;
    return new RuntimeError(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${missing}'\n${requireStack(err)}`,
      err,
    );
  }
  return err;
}

function requireStack(err) {
  const stack = Array.isArray(err?.requireStack) ? err.requireStack : [];
  return ['Require stack:', ...stack.map((s) => `- ${s}`), '- ' + new URL(import.meta.url).pathname].join(
    '\n',
  );
}

async function loadFile(file, module, attempt = 0) {
  try {
    if (!isEsm(file)) return createRequire(file)(file);
    // A retry needs a new module instance: the failed one stays in the ESM cache under its URL.
    const url = pathToFileURL(file).href + (attempt > 0 ? `?slipway-retry=${attempt}` : '');
    return await import(url);
  } catch (err) {
    throw importError(err, module);
  }
}

/** How long after a write a failing handler file counts as "being saved" (a reload can start mid-save). */
const SAVE_WINDOW_MS = 500;
const SAVE_RETRIES = 4;
const SAVE_RETRY_DELAY_MS = 25;

/** Empty, or written a moment ago: an editor that truncates then writes may not be done yet. */
function beingSaved(file) {
  try {
    const stats = statSync(file);
    return stats.size === 0 || Date.now() - stats.mtimeMs < SAVE_WINDOW_MS;
  } catch {
    return false;
  }
}

function forget(file) {
  const require = createRequire(file);
  delete require.cache[file];
}

async function loadPackage(root, module) {
  let resolved;
  try {
    resolved = createRequire(join(root, 'noop.js')).resolve(module);
  } catch {
    throw new RuntimeError(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${module}'\nRequire stack:\n- ${new URL(import.meta.url).pathname}`,
    );
  }
  return loadFile(resolved, module);
}

function resolveExport(mod, exportPath) {
  let value = mod;
  for (const key of exportPath.split('.')) {
    if (value === undefined || value === null) return undefined;
    value = value[key];
  }
  return value;
}

/**
 * @param {{taskRoot: string, handler: string, handlerRoot?: string, handlerFile?: string}} where
 */
export async function loadHandler(where) {
  const { module, exportPath } = splitHandler(where.handler);
  const root = where.handlerRoot ?? where.taskRoot;
  const file = where.handlerFile ?? findModuleFile(root, module);
  if (!file) return checkedHandler(resolveExport(await loadPackage(root, module), exportPath), where);
  // A file caught mid-save (empty, or half written) is loaded again a moment later before its
  // error is reported: during hot reload an environment can start between truncate and write.
  for (let attempt = 0; ; attempt++) {
    try {
      return checkedHandler(resolveExport(await loadFile(file, module, attempt), exportPath), where);
    } catch (err) {
      if (attempt >= SAVE_RETRIES || !beingSaved(file)) throw err;
      forget(file);
      await new Promise((r) => setTimeout(r, SAVE_RETRY_DELAY_MS));
    }
  }
}

function checkedHandler(handler, where) {
  if (handler === undefined || handler === null)
    throw new RuntimeError('Runtime.HandlerNotFound', `${where.handler} is undefined or not exported`);
  if (typeof handler !== 'function')
    throw new RuntimeError('Runtime.HandlerNotFound', `${where.handler} is not a function`);
  return handler;
}
