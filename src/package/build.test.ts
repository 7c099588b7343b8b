/**
 * buildProject on real templates and folders: the builders' layouts, Node's resolution of
 * production packages, the limits, and the content-hash index. Zips are read back with the
 * central-directory reader and Python's zipfile.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadProject } from '../project/load.ts';
import { SlipwayError } from '../shared/errors.ts';
import { ContentHashes } from './content-hashes.ts';
import { buildProject, type BuildResult } from './index.ts';
import { fileStat } from './source-tree.ts';
import { readCentralDirectory } from './zip-read.ts';
import { statSync } from 'node:fs';

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'slipway-package-'));
  roots.push(root);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

const fnTemplate = (props: string, metadata = ''): string =>
  `Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n${props
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}\n${metadata}`;

async function build(
  root: string,
  extra: { warn?: (m: string) => void; force?: boolean } = {},
): Promise<BuildResult> {
  const p = await loadProject({ template: join(root, 'template.yaml') });
  return buildProject({ project: p, outDir: join(root, 'out'), env: process.env, ...extra });
}

async function names(zipPath: string): Promise<string[]> {
  return (await readCentralDirectory(zipPath)).map((e) => e.name);
}

function readEntry(zipPath: string, name: string): string {
  return execFileSync(
    'python3',
    [
      '-c',
      'import sys,zipfile;sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())',
      zipPath,
      name,
    ],
    {
      encoding: 'utf8',
    },
  );
}

test('a TypeScript handler without BuildMethod is bundled to its own path; ESM gives .mjs; the SDK v3 stays external', async () => {
  const root = project({
    'template.yaml': fnTemplate('CodeUri: src/\nHandler: handlers/get.handler\nRuntime: nodejs22.x'),
    'src/package.json': JSON.stringify({ type: 'module' }),
    'src/handlers/get.ts':
      "import { S3Client } from '@aws-sdk/client-s3';\nexport const handler = async (): Promise<string> => typeof S3Client;\n",
  });
  const [fn] = (await build(root)).artifacts;
  assert.equal(fn?.method, 'esbuild');
  assert.deepEqual(await names(fn.zipPath), ['handlers/', 'handlers/get.mjs']);
  const code = readEntry(fn.zipPath, 'handlers/get.mjs');
  assert.match(code, /from "@aws-sdk\/client-s3"/);
  assert.doesNotMatch(code, /sourceMappingURL/, 'no source map unless asked');
});

test('BuildMethod esbuild: Format esm with OutExtension and Sourcemap, as SAM passes them', async () => {
  const root = project({
    'template.yaml': fnTemplate(
      'CodeUri: src/\nHandler: app.handler\nRuntime: nodejs20.x',
      '    Metadata:\n      BuildMethod: esbuild\n      BuildProperties:\n        Format: esm\n        OutExtension:\n          - .js=.mjs\n        Sourcemap: true\n        EntryPoints:\n          - app.ts\n',
    ),
    'src/app.ts': 'export const handler = async (): Promise<number> => 42;\n',
  });
  const [fn] = (await build(root)).artifacts;
  assert.deepEqual(await names(fn!.zipPath), ['app.mjs', 'app.mjs.map']);
  assert.match(readEntry(fn!.zipPath, 'app.mjs'), /sourceMappingURL=app\.mjs\.map/);
});

test('production packages hoisted to a parent folder, nested versions, scoped names and linked packages', async () => {
  const pkg = (name: string, deps: Record<string, string> = {}): string =>
    JSON.stringify({ name, version: '1.0.0', dependencies: deps });
  const root = project({
    'template.yaml': fnTemplate('CodeUri: functions/api/\nHandler: index.handler\nRuntime: nodejs20.x'),
    'functions/api/index.js': 'exports.handler = async () => 1;\n',
    'functions/api/package.json': pkg('api', { a: '1', '@scope/s': '1', linked: '1' }),
    // a: in the function's own node_modules, with its own nested copy of b@2
    'functions/api/node_modules/a/package.json': pkg('a', { b: '2' }),
    'functions/api/node_modules/a/node_modules/b/package.json': pkg('b'),
    'functions/api/node_modules/a/node_modules/b/v2.js': '',
    // hoisted to the workspace root
    'node_modules/@scope/s/package.json': pkg('@scope/s', { b: '1' }),
    'node_modules/b/package.json': pkg('b'),
    'node_modules/b/v1.js': '',
    'node_modules/unrelated/package.json': pkg('unrelated'),
    // a linked package (workspaces, pnpm) whose dependency sits beside its real location
    'packages/linked/package.json': pkg('linked', { c: '1' }),
    'packages/linked/index.js': '',
    'packages/node_modules/c/package.json': pkg('c'),
  });
  symlinkSync(join(root, 'packages/linked'), join(root, 'functions/api/node_modules/linked'));
  const [fn] = (await build(root)).artifacts;
  const files = (await names(fn!.zipPath)).filter((n) => !n.endsWith('/'));
  assert.deepEqual(files, [
    'index.js',
    'node_modules/@scope/s/package.json',
    'node_modules/a/node_modules/b/package.json',
    'node_modules/a/node_modules/b/v2.js',
    'node_modules/a/package.json',
    'node_modules/b/package.json',
    'node_modules/b/v1.js',
    'node_modules/linked/index.js',
    'node_modules/linked/node_modules/c/package.json',
    'node_modules/linked/package.json',
    'package.json',
  ]);
});

test('over 250 MB unzipped is refused, naming the biggest contributors (nothing is read or zipped)', async () => {
  const root = project({
    'template.yaml': fnTemplate('CodeUri: src/\nHandler: bootstrap\nRuntime: provided.al2023'),
    'src/bootstrap': '#!/bin/sh\n',
    'src/assets/small.txt': 'x',
  });
  chmodSync(join(root, 'src/bootstrap'), 0o755);
  mkdirSync(join(root, 'src/models'));
  writeFileSync(join(root, 'src/models/big.bin'), '');
  truncateSync(join(root, 'src/models/big.bin'), 251 * 1024 * 1024); // sparse: no disk used
  writeFileSync(join(root, 'src/huge.dat'), '');
  truncateSync(join(root, 'src/huge.dat'), 2 * 1024 * 1024);
  await assert.rejects(build(root), (err: unknown) => {
    assert.ok(err instanceof SlipwayError);
    assert.equal(err.code, 'PackageTooLarge');
    assert.match(err.message, /^Fn: the package unzips to 253\.0 MB, over Lambda's 250 MB limit/);
    assert.match(err.message, /biggest: models\/ 251\.0 MB, huge\.dat 2\.0 MB, bootstrap 10 B, assets\/ 1 B/);
    assert.equal(err.where?.resource, 'Fn');
    return true;
  });
});

test('a zip over 50 MB is built, flagged for an S3 upload and warned about', async () => {
  const root = project({
    'template.yaml': fnTemplate('CodeUri: src/\nHandler: bootstrap\nRuntime: provided.al2023'),
    'src/bootstrap': '#!/bin/sh\n',
  });
  chmodSync(join(root, 'src/bootstrap'), 0o755);
  writeFileSync(join(root, 'src/random.bin'), randomBytes(51 * 1024 * 1024));
  const warnings: string[] = [];
  const [fn] = (await build(root, { warn: (m) => warnings.push(m) })).artifacts;
  assert.equal(fn?.uploadVia, 's3');
  assert.ok(fn.size > 50 * 1024 * 1024);
  assert.match(
    warnings.join('\n'),
    /Fn: the zip is 51\.0 MB, over the 50 MB a direct upload accepts; deploy must upload it through S3/,
  );
});

test('a bootstrap that is not executable is refused', async () => {
  const root = project({
    'template.yaml': fnTemplate('CodeUri: src/\nHandler: bootstrap\nRuntime: provided.al2'),
    'src/bootstrap': '#!/bin/sh\n',
  });
  await assert.rejects(build(root), /BootstrapNotExecutable|not executable/);
});

test('content hashes: a file written moments ago is read again next time (racy stat), an older one is not', async () => {
  const root = project({ 'old.txt': 'old', 'new.txt': 'new' });
  const index = join(root, 'index.json');
  const old = join(root, 'old.txt');
  const now = Date.now();
  const hashes = await ContentHashes.load(index, false, () => now);
  const oldStat = { ...fileStat(statSync(old)), mtimeMs: now - 60_000, ctimeMs: now - 60_000 };
  await hashes.hash(old, oldStat);
  await hashes.hash(join(root, 'new.txt'), fileStat(statSync(join(root, 'new.txt'))));
  await hashes.save(true);
  const saved = JSON.parse(readFileSync(index, 'utf8')) as { files: Record<string, unknown> };
  assert.deepEqual(Object.keys(saved.files), [old]);
  const again = await ContentHashes.load(index, false, () => now);
  await again.hash(old, oldStat);
  assert.equal(again.reads, 0, 'remembered by stat');
});
