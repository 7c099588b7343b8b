/**
 * Python: the CodeUri sources plus `requirements.txt` installed with the machine's pip
 * (`pip install -r requirements.txt --target …`), from pip's configured index or, with
 * --wheelhouse DIR, from that folder only (`--no-index --find-links DIR`, pip's own configuration
 * files ignored so nothing else is consulted). Installed packages are cached by the requirements'
 * content and the interpreter's version under `<out>/.cache/python/`, shared by every function
 * with the same requirements. Scripts pip writes to `bin/` (their first line names this machine's
 * interpreter) and byte-code are left out.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { SlipwayError, type Where } from '../shared/errors.ts';
import { sha256Hex } from './content-hashes.ts';
import { excludeLitter, mergeContent, walkTree, type Exclude, type PackageContent } from './source-tree.ts';
import { contentAsInputs, type BuildContext, type Builder } from './types.ts';

const COMPLETE_MARKER = '.slipway-complete';

interface Interpreter {
  command: string;
  /** Path and stat of the executable: part of the cache key without running it. */
  identity: string;
}

interface PipRun {
  code: number | null;
  output: string;
  spawnError?: NodeJS.ErrnoException;
}

/** `python3.12` when the machine has it (for runtime python3.12), else `python3`. */
export async function findPython(runtime: string, env: NodeJS.ProcessEnv): Promise<Interpreter> {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of [runtime, 'python3']) {
    for (const dir of dirs) {
      const path = join(dir, name);
      try {
        const s = await stat(path);
        if (s.isFile() && s.mode & 0o111)
          return { command: path, identity: `${path}:${s.size}:${s.mtimeMs}` };
      } catch {
        /* not in this folder */
      }
    }
  }
  return { command: 'python3', identity: 'python3' };
}

function run(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<PipRun> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (err) => resolvePromise({ code: null, output, spawnError: err }));
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

/** Meaningful requirement lines (comments and blanks dropped). */
function hasRequirements(text: string): boolean {
  return text.split('\n').some((l) => l.replace(/#.*/, '').trim() !== '');
}

function failedRequirement(output: string): string | undefined {
  return (
    /No matching distribution found for ([^\s]+)/.exec(output)?.[1] ??
    /Could not find a version that satisfies the requirement ([^\s]+)/.exec(output)?.[1]
  );
}

function requirementLine(text: string, requirement: string): number | undefined {
  const name = requirement.split(/[<>=!~ ;[]/)[0]!.toLowerCase();
  const i = text.split('\n').findIndex((l) => l.toLowerCase().trim().startsWith(name));
  return i >= 0 ? i + 1 : undefined;
}

interface InstallRequest {
  owner: { logicalId: string; where?: Where };
  python: Interpreter;
  runtime: string;
  architectures: string[];
  codeDir: string;
  requirementsPath: string;
  requirements: string;
}

function pipFailure(req: InstallRequest, result: PipRun, wheelhouse: string | undefined): SlipwayError {
  const { logicalId } = req.owner;
  if (result.spawnError)
    return new SlipwayError(
      'PythonNotFound',
      `${logicalId}: cannot run ${req.python.command} to install requirements.txt: ${result.spawnError.code ?? result.spawnError.message}`,
      {
        where: req.owner.where,
        hint: 'install Python 3 with pip (python3 -m pip --version must work)',
      },
    );
  const requirement = failedRequirement(result.output);
  const where: Where = { file: req.requirementsPath, resource: logicalId };
  const line = requirement ? requirementLine(req.requirements, requirement) : undefined;
  if (line !== undefined) where.line = line;
  if (requirement)
    return new SlipwayError(
      'RequirementNotFound',
      wheelhouse
        ? `${logicalId}: requirement '${requirement}' cannot be installed: no matching wheel in the wheelhouse ${wheelhouse} (--wheelhouse installs from that folder only)`
        : `${logicalId}: requirement '${requirement}' cannot be installed: pip found no matching distribution in the index it can reach`,
      {
        where,
        hint: wheelhouse
          ? `put a wheel for it in ${wheelhouse} (e.g. python3 -m pip wheel -w ${wheelhouse} '${requirement}' where an index is reachable), or build without --wheelhouse to use pip's index`
          : 'check its name and version; without a reachable index, build with --wheelhouse DIR (a folder of wheels)',
      },
    );
  const tail = result.output.trim().split('\n').slice(-6).join('\n  ');
  return new SlipwayError(
    'RequirementsNotInstalled',
    `${logicalId}: pip could not install requirements.txt (exit ${result.code}):\n  ${tail}`,
    {
      where,
      hint: wheelhouse
        ? `check the wheels in ${wheelhouse}`
        : 'check requirements.txt; pip must reach an index, or use --wheelhouse DIR',
    },
  );
}

async function pythonVersion(
  python: Interpreter,
  env: NodeJS.ProcessEnv,
): Promise<{ version: string; machine: string }> {
  const r = await run(
    python.command,
    ['-c', "import sys, platform; print('%d.%d.%d' % sys.version_info[:3]); print(platform.machine())"],
    {
      cwd: process.cwd(),
      env,
    },
  );
  const [version = 'unknown', machine = 'unknown'] = r.output.trim().split('\n');
  return { version, machine };
}

async function install(req: InstallRequest, ctx: BuildContext): Promise<string> {
  const { version, machine } = await pythonVersion(req.python, ctx.env);
  const key = sha256Hex(JSON.stringify({ requirements: sha256Hex(req.requirements), version })).slice(0, 32);
  const dir = join(ctx.cacheDir, 'python', key);
  if (!ctx.force && existsSync(join(dir, COMPLETE_MARKER))) return dir;
  const wanted = req.runtime.replace(/^python/, '');
  if (!version.startsWith(`${wanted}.`))
    ctx.warn(
      `${req.owner.logicalId}: requirements installed with Python ${version} for runtime ${req.runtime}; packages with compiled code may not load on Lambda`,
    );
  const lambdaMachine = req.architectures.includes('arm64') ? 'aarch64' : 'x86_64';
  if (machine !== lambdaMachine && machine !== 'unknown')
    ctx.warn(
      `${req.owner.logicalId}: requirements installed for ${machine}, the function runs on ${lambdaMachine}; packages with compiled code may not load on Lambda`,
    );
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const args = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    '--no-compile',
    '--target',
    staging,
    '-r',
    req.requirementsPath,
  ];
  let env = ctx.env;
  if (ctx.wheelhouse) {
    args.push('--no-index', '--find-links', ctx.wheelhouse);
    env = Object.fromEntries(Object.entries(ctx.env).filter(([k]) => !k.startsWith('PIP_')));
    env.PIP_CONFIG_FILE = '/dev/null';
  }
  ctx.progress(
    `${req.owner.logicalId}: pip install -r requirements.txt (Python ${version}${ctx.wheelhouse ? `, wheels from ${ctx.wheelhouse} only` : ''})`,
  );
  const result = await run(req.python.command, args, { cwd: req.codeDir, env });
  if (result.code !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw pipFailure(req, result, ctx.wheelhouse);
  }
  await writeFile(join(staging, COMPLETE_MARKER), req.requirements);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return dir;
}

/** Inside the installed packages: litter, the marker, and pip's `bin/` scripts. */
const dependencyExclusions: Exclude = (name, rel, isDir) =>
  excludeLitter(name) || rel === COMPLETE_MARKER || (isDir && rel === 'bin');

export function pythonBuilder(opts: {
  owner: { logicalId: string; where?: Where };
  runtime: string;
  architectures: string[];
  codeDir: string;
  exclude: Exclude;
  /** '' or 'python/' for a layer. */
  prefix?: string;
  ctx: BuildContext;
  key?: Record<string, unknown>;
}): Builder {
  const prefix = opts.prefix ?? '';
  const requirementsPath = join(opts.codeDir, 'requirements.txt');
  let walked: Promise<PackageContent> | undefined;
  const sources = (): Promise<PackageContent> => (walked ??= walkTree(opts.codeDir, opts.exclude, prefix));
  const requirements = readFile(requirementsPath, 'utf8').catch(() => '');
  return {
    method: 'python',
    configKey: async () => {
      const text = await requirements;
      const python = hasRequirements(text) ? (await findPython(opts.runtime, opts.ctx.env)).identity : null;
      return JSON.stringify({
        method: 'python',
        prefix,
        requirements: sha256Hex(text),
        python,
        wheelhouse: opts.ctx.wheelhouse ?? null,
        ...opts.key,
      });
    },
    inputs: async () => contentAsInputs(await sources()),
    produce: async () => {
      const src = await sources();
      const text = await requirements;
      if (!hasRequirements(text)) return { content: src, inputs: contentAsInputs(src) };
      const python = await findPython(opts.runtime, opts.ctx.env);
      const req: InstallRequest = { ...opts, python, requirementsPath, requirements: text };
      const pendingKey = `${python.identity}\0${sha256Hex(text)}`;
      let pending = opts.ctx.pending.get(pendingKey);
      if (!pending) {
        pending = install(req, opts.ctx);
        opts.ctx.pending.set(pendingKey, pending);
      }
      const depsDir = await pending;
      const deps = await walkTree(depsDir, dependencyExclusions, prefix);
      return { content: mergeContent(src, deps), inputs: contentAsInputs(src) };
    },
  };
}
