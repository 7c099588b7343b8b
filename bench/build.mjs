// `slipway build` benchmarks, each measured beside a reference in the same run:
//   - no-op build of a generated 10-function project (in-process, and the CLI vs a bare node spawn);
//   - one changed file in a function whose zip is ~50 MB (node_modules copied, not bundled) vs a
//     full rebuild of the same function;
//   - a full esbuild-bundled build of the examples' Node.js functions vs calling esbuild directly.
// Exports `build()` returning rows in bench/scenarios.mjs's format. Everything lives in a temporary
// folder that is removed at the end.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const CLI = join(root, 'bin/slipway.js');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);

const sortNum = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sortNum(xs)[Math.floor(xs.length / 2)];
const row = (metric, unit, slipway, peer = null, peerValue = null) => ({
  scenario: 'build',
  metric,
  unit,
  slipway,
  peer,
  peerValue,
  ratio: peer && peerValue ? slipway / peerValue : null,
});

function write(path, content, mode = 0o644) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { mode });
}

/** Marks files as written an hour ago (an installed node_modules, not one written this second). */
function backdate(paths) {
  const t = Date.now() / 1000 - 3600;
  for (const p of paths) utimesSync(p, t, t);
}

async function loadProject(template) {
  const { loadProject: load } = await dist('project/load.js');
  return load({ template });
}

async function buildOnce(project, outDir, extra = {}) {
  const { buildProject } = await dist('package/index.js');
  const t = performance.now();
  const result = await buildProject({ project, outDir, env: process.env, ...extra });
  return { ms: performance.now() - t, result };
}

/** 10 functions: 4 Node.js copied, 3 TypeScript bundled, 2 Python, 1 provided. */
function tenFunctionProject(dir) {
  const paths = [];
  let template = 'Transform: AWS::Serverless-2016-10-31\nResources:\n';
  const fn = (id, codeUri, handler, runtime) =>
    (template += `  ${id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: ${codeUri}\n      Handler: ${handler}\n      Runtime: ${runtime}\n`);
  const file = (rel, content, mode) => {
    write(join(dir, rel), content, mode);
    paths.push(join(dir, rel));
  };
  for (let i = 0; i < 4; i++) {
    fn(`Node${i}`, `node${i}/`, 'index.handler', 'nodejs20.x');
    file(`node${i}/index.js`, `exports.handler = async () => ${i};\n`);
    file(`node${i}/lib/util.js`, `exports.n = ${i};\n`.repeat(50));
    file(`node${i}/package.json`, JSON.stringify({ name: `node${i}`, dependencies: {} }));
  }
  for (let i = 0; i < 3; i++) {
    fn(`Ts${i}`, `ts${i}/`, 'app.handler', 'nodejs20.x');
    file(`ts${i}/app.ts`, `import { g } from './g';\nexport const handler = async (): Promise<string> => g(${i});\n`);
    file(`ts${i}/g.ts`, 'export const g = (n: number): string => `n=${n}`;\n');
  }
  for (let i = 0; i < 2; i++) {
    fn(`Py${i}`, `py${i}/`, 'app.handler', 'python3.11');
    file(`py${i}/app.py`, `def handler(e, c):\n    return ${i}\n`);
  }
  fn('Custom', 'custom/', 'unused', 'provided.al2023');
  file('custom/bootstrap', '#!/bin/sh\necho hi\n', 0o755);
  write(join(dir, 'template.yaml'), template);
  backdate(paths);
}

async function noOp(tmp) {
  const dir = join(tmp, 'ten');
  tenFunctionProject(dir);
  const project = await loadProject(join(dir, 'template.yaml'));
  const out = join(dir, '.slipway/build');
  await buildOnce(project, out);
  const times = [];
  for (let i = 0; i < 20; i++) {
    const { ms, result } = await buildOnce(project, out);
    if (result.artifacts.some((a) => a.status !== 'reused')) throw new Error('no-op build rebuilt something');
    times.push(ms);
  }
  const cli = [];
  const bare = [];
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    const r = spawnSync(process.execPath, [CLI, 'build', '--json'], { cwd: dir, encoding: 'utf8' });
    cli.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`slipway build failed: ${r.stderr}`);
    t = performance.now();
    spawnSync(process.execPath, ['-e', '']);
    bare.push(performance.now() - t);
  }
  return [
    row('no-op build, 10 functions (buildProject, median of 20)', 'ms', median(times)),
    row('no-op `slipway build`, 10 functions (CLI wall, median of 5)', 'ms', median(cli), "bare `node -e ''` spawn", median(bare)),
  ];
}

/** One Node.js function whose production node_modules makes a ~50 MB zip (base64 text barely compresses). */
function largeFunction(dir) {
  const paths = [];
  const deps = {};
  const PACKAGES = 12;
  const FILES = 150;
  const FILE_BYTES = 38 * 1024; // ~68 MB of base64 text → ~51 MB deflated
  for (let p = 0; p < PACKAGES; p++) {
    const name = `big-${p}`;
    deps[name] = '1.0.0';
    const pkgDir = join(dir, 'fn/node_modules', name);
    write(join(pkgDir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
    paths.push(join(pkgDir, 'package.json'));
    for (let f = 0; f < FILES; f++) {
      const path = join(pkgDir, `data/f${f}.txt`);
      write(path, randomBytes((FILE_BYTES * 3) / 4).toString('base64'));
      paths.push(path);
    }
  }
  write(join(dir, 'fn/package.json'), JSON.stringify({ name: 'large', dependencies: deps }));
  write(join(dir, 'fn/index.js'), 'exports.handler = async () => 0;\n');
  paths.push(join(dir, 'fn/package.json'), join(dir, 'fn/index.js'));
  write(
    join(dir, 'template.yaml'),
    'Transform: AWS::Serverless-2016-10-31\nResources:\n  Large:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: fn/\n      Handler: index.handler\n      Runtime: nodejs20.x\n',
  );
  backdate(paths);
}

async function patchLarge(tmp) {
  const dir = join(tmp, 'large');
  largeFunction(dir);
  const project = await loadProject(join(dir, 'template.yaml'));
  const out = join(dir, '.slipway/build');
  const full = [];
  let size = 0;
  for (let i = 0; i < 3; i++) {
    const { ms, result } = await buildOnce(project, out, { force: true });
    size = result.artifacts[0].size;
    full.push(ms);
  }
  const patch = [];
  for (let i = 0; i < 5; i++) {
    write(join(dir, 'fn/index.js'), `exports.handler = async () => ${i + 1};\n`);
    const { ms, result } = await buildOnce(project, out);
    if (result.artifacts[0].status !== 'patched') throw new Error(`expected a patch, got ${result.artifacts[0].status}`);
    patch.push(ms);
  }
  return [
    row(`one changed file in a ${(size / 1024 / 1024).toFixed(0)} MB zip: patch (median of 5)`, 'ms', median(patch), 'full rebuild (median of 3)', median(full)),
  ];
}

/** The examples' Node.js functions with `Metadata: BuildMethod: esbuild`, as `sam build` would bundle them. */
async function bundleExamples(tmp) {
  const esbuild = await import('esbuild');
  const { esbuildOptionsFor } = await dist('package/node-bundle.js');
  const examples = ['hello-api', 'chain', 's3-hash', 'webhook-runner'];
  const projects = [];
  for (const name of examples) {
    const dir = join(tmp, 'examples', name);
    cpSync(join(root, 'examples', name), dir, { recursive: true });
    const project = await loadProject(join(dir, 'template.yaml'));
    const ids = [];
    for (const fn of project.functions.values()) {
      if (fn.runtimeFamily !== 'nodejs' || !fn.codeDir) continue;
      const module = fn.handler.slice(0, fn.handler.indexOf('.', fn.handler.lastIndexOf('/') + 1));
      const entry = ['.ts', '.mjs', '.js'].map((e) => module + e).find((f) => spawnSync('test', ['-f', join(fn.codeDir, f)]).status === 0);
      // As a SAM user targeting nodejs18+ writes it: the runtime provides the AWS SDK v3.
      fn.build = { method: 'esbuild', esbuild: { entryPoints: [entry], external: ['@aws-sdk/*'] } };
      if (entry.endsWith('.mjs')) Object.assign(fn.build.esbuild, { format: 'esm', outExtension: { '.js': '.mjs' } });
      ids.push(fn.logicalId);
    }
    projects.push({ project, ids, out: join(dir, '.slipway/build') });
  }
  const count = projects.reduce((n, p) => n + p.ids.length, 0);
  const ours = [];
  const direct = [];
  const { stopEsbuild } = await dist('package/node-bundle.js');
  for (let i = 0; i < 5; i++) {
    // Each side starts esbuild's service once per round.
    let t = performance.now();
    for (const p of projects) await buildOnce(p.project, p.out, { force: true, logicalIds: p.ids });
    await stopEsbuild();
    ours.push(performance.now() - t);
    t = performance.now();
    for (const p of projects)
      for (const id of p.ids) {
        const fn = p.project.functions.get(id);
        await esbuild.build({ ...esbuildOptionsFor(fn), absWorkingDir: fn.codeDir, write: true, outdir: join(tmp, 'direct', id), logLevel: 'silent' });
      }
    await esbuild.stop();
    direct.push(performance.now() - t);
  }
  return [
    row(`full esbuild-bundled build of the examples (${count} functions, median of 5)`, 'ms', median(ours), 'esbuild called directly', median(direct)),
  ];
}

export async function build() {
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-bench-build-'));
  try {
    return [...(await noOp(tmp)), ...(await patchLarge(tmp)), ...(await bundleExamples(tmp))];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await build()) console.log(JSON.stringify(r));
}
