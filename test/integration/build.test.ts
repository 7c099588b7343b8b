import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/slipway.ts';
import { FILES, makeWheelhouse, writeProject } from './build-fixture.ts';

interface Artifact {
  logicalId: string;
  kind: string;
  functionName?: string;
  zipPath: string;
  codeSha256: string;
  size: number;
  unzippedSize: number;
  status: string;
  uploadVia: string;
  method: string;
}
interface BuildJson {
  outDir: string;
  artifacts: Artifact[];
  totals: Record<string, number>;
}

interface ZipInfo {
  name: string;
  mode: number;
  date: number[];
  content: string;
}

/** Reads a zip with Python's zipfile (CRCs checked by testzip) and `unzip -t`. */
function readZip(path: string): Map<string, ZipInfo> {
  execFileSync('unzip', ['-tq', path]);
  const script = [
    'import json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'assert z.testzip() is None',
    'print(json.dumps([{"name": i.filename, "mode": i.external_attr >> 16, "date": list(i.date_time),',
    '  "content": "" if i.is_dir() else z.read(i).decode("utf8", "replace")} for i in z.infolist()]))',
  ].join('\n');
  const list = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as ZipInfo[];
  return new Map(list.map((e) => [e.name, e]));
}

async function build(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BuildJson> {
  const r = await runCli(['build', '--json', ...args], { cwd, env, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as BuildJson;
}

const byId = (b: BuildJson): Map<string, Artifact> => new Map(b.artifacts.map((a) => [a.logicalId, a]));
const sha256b64 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('base64');

describe('slipway build', () => {
  let root: string;
  let a: string;
  let b: string;
  let wheelhouse: string;
  let first: BuildJson;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'slipway-build-'));
    a = join(root, 'checkout-a');
    b = join(root, 'elsewhere', 'checkout-b');
    wheelhouse = join(root, 'wheels');
    makeWheelhouse(wheelhouse);
    const names = Object.keys(FILES);
    // Same sources; different folders, creation orders and mtimes.
    writeProject(a, names, (i) => 1_600_000_000 + i * 61);
    writeProject(b, [...names].reverse(), (i) => 1_700_000_000 - i * 3);
    first = await build(a, ['--wheelhouse', wheelhouse]);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('every function and the layer is built; CodeSha256 is the base64 sha256 of the zip', () => {
    const arts = byId(first);
    assert.deepEqual([...arts.keys()].sort(), ['Bundled', 'Copied', 'Custom', 'Py', 'Shared']);
    for (const art of first.artifacts) {
      assert.equal(art.status, 'rebuilt');
      assert.equal(art.zipPath, join(a, '.slipway', 'build', `${art.logicalId}.zip`));
      assert.equal(art.codeSha256, sha256b64(art.zipPath));
      assert.equal(art.size, statSync(art.zipPath).size);
      assert.equal(art.uploadVia, 'direct');
    }
    assert.equal(arts.get('Shared')?.kind, 'layer');
    assert.match(arts.get('Copied')?.functionName ?? '', /Copied/);
    assert.equal(first.totals.rebuilt, 5);
  });

  test('two checkouts with different paths, mtimes and creation orders give byte-identical zips', async () => {
    const second = byId(await build(b, ['--wheelhouse', wheelhouse]));
    for (const art of first.artifacts) {
      const other = second.get(art.logicalId)!;
      assert.equal(other.codeSha256, art.codeSha256, art.logicalId);
      assert.deepEqual(readFileSync(other.zipPath), readFileSync(art.zipPath), art.logicalId);
    }
  });

  test('esbuild bundle: one file at the handler path, SAM BuildProperties honoured', () => {
    const zip = readZip(byId(first).get('Bundled')!.zipPath);
    assert.deepEqual([...zip.keys()], ['app.js']);
    const app = zip.get('app.js')!;
    assert.equal(app.mode, 0o100644);
    assert.deepEqual(app.date, [1980, 1, 1, 0, 0, 0]);
    assert.match(app.content, /hi \$\{n\}/, 'Minify: false keeps the source readable');
    assert.match(app.content, /module\.exports/, 'Format defaults to cjs as in SAM');
  });

  test('Node.js copy: sources and production node_modules only (no devDependencies, no tests)', () => {
    const zip = readZip(byId(first).get('Copied')!.zipPath);
    const files = [...zip.keys()].filter((n) => !n.endsWith('/'));
    assert.deepEqual(files, [
      'node_modules/dep-a/index.js',
      'node_modules/dep-a/package.json',
      'node_modules/dep-b/index.js',
      'node_modules/dep-b/package.json',
      'package.json',
      'src/index.js',
      'src/util.js',
    ]);
    assert.equal(zip.get('src/')?.mode, 0o040755);
    assert.equal(zip.get('node_modules/dep-a/')?.mode, 0o040755);
  });

  test('Python: sources plus requirements from the wheelhouse, no byte-code', () => {
    const zip = readZip(byId(first).get('Py')!.zipPath);
    assert.ok(zip.has('app.py'));
    assert.ok(zip.has('tinypkg/__init__.py'));
    assert.ok(zip.has('tinypkg-0.1.dist-info/METADATA'));
    assert.ok(![...zip.keys()].some((n) => n.includes('__pycache__') || n.endsWith('.pyc')));
  });

  test('provided: bootstrap keeps its executable bit; litter is left out', () => {
    const zip = readZip(byId(first).get('Custom')!.zipPath);
    assert.deepEqual([...zip.keys()], ['bootstrap', 'data/', 'data/config.txt']);
    assert.equal(zip.get('bootstrap')?.mode, 0o100755);
    assert.equal(zip.get('data/config.txt')?.mode, 0o100644);
    const layer = readZip(byId(first).get('Shared')!.zipPath);
    assert.equal(layer.get('bin/tool')?.mode, 0o100755);
    assert.ok(layer.has('nodejs/node_modules/shared/index.js'));
  });

  test('a second build with nothing changed reuses every zip without touching it', async () => {
    const before = first.artifacts.map((art) => statSync(art.zipPath));
    const again = await build(a, ['--wheelhouse', wheelhouse]);
    assert.deepEqual(
      again.artifacts.map((x) => x.status),
      first.artifacts.map(() => 'reused'),
    );
    first.artifacts.forEach((art, i) => {
      const s = statSync(art.zipPath);
      assert.equal(s.mtimeMs, before[i]!.mtimeMs, art.logicalId);
      assert.equal(s.ino, before[i]!.ino, art.logicalId);
      assert.equal(byId(again).get(art.logicalId)?.codeSha256, art.codeSha256);
    });
  });

  test('one changed file patches only its function, and the patch equals a full rebuild', async () => {
    writeFileSync(join(a, 'copied/src/util.js'), "exports.util = '+changed';\n");
    writeFileSync(join(a, 'custom/data/config.txt'), 'config v2\n');
    const patched = byId(await build(a, ['--wheelhouse', wheelhouse]));
    assert.equal(patched.get('Copied')?.status, 'patched');
    assert.equal(patched.get('Custom')?.status, 'patched');
    for (const id of ['Bundled', 'Py', 'Shared']) assert.equal(patched.get(id)?.status, 'reused', id);
    assert.match(readZip(patched.get('Copied')!.zipPath).get('src/util.js')!.content, /\+changed/);

    const fresh = join(root, 'full');
    const full = byId(await build(a, ['--wheelhouse', wheelhouse, '--force', '--out', fresh]));
    for (const id of ['Copied', 'Custom']) {
      assert.equal(full.get(id)?.status, 'rebuilt');
      assert.equal(full.get(id)?.codeSha256, patched.get(id)?.codeSha256, id);
      assert.deepEqual(readFileSync(full.get(id)!.zipPath), readFileSync(patched.get(id)!.zipPath), id);
    }
  });

  test('a changed TypeScript source rebuilds the bundle; SOURCE_DATE_EPOCH sets the timestamp', async () => {
    writeFileSync(
      join(a, 'bundled/lib/greet.ts'),
      'export const greet = (n: string): string => `hey ${n}`;\n',
    );
    const out = join(root, 'epoch');
    const r = byId(await build(a, ['Bundled', '--out', out], { SOURCE_DATE_EPOCH: '1700000000' }));
    assert.deepEqual([...r.keys()].sort(), ['Bundled', 'Shared'], 'a function brings its local layers');
    const app = readZip(r.get('Bundled')!.zipPath).get('app.js')!;
    assert.match(app.content, /hey \$\{n\}/);
    assert.deepEqual(app.date, [2023, 11, 14, 22, 13, 20]);
  });

  test('built zips run: a template whose CodeUri is the zip answers through slipway invoke', async () => {
    const arts = byId(await build(a, ['--wheelhouse', wheelhouse]));
    const dir = join(root, 'deployed');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'template.yaml'),
      `Transform: AWS::Serverless-2016-10-31
Resources:
  Copied:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ${arts.get('Copied')!.zipPath}
      Handler: src/index.handler
      Runtime: nodejs20.x
      Environment: { Variables: { GREETING: hello } }
  Py:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ${arts.get('Py')!.zipPath}
      Handler: app.lambda_handler
      Runtime: python3.11
`,
    );
    const node = await runCli(['invoke', 'Copied'], { cwd: dir });
    assert.equal(node.code, 0, node.stderr);
    assert.deepEqual(JSON.parse(node.stdout), { copied: 'a+b+changed', greeting: 'hello' });
    const py = await runCli(['invoke', 'Py', '--event', '-'], { cwd: dir, input: '{"name":"ada"}' });
    assert.equal(py.code, 0, py.stderr);
    assert.deepEqual(JSON.parse(py.stdout), { py: 'ADA!' });
  });
});

describe('slipway build: bad input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-build-bad-'));
    const big = 'x'.repeat(5000);
    writeFileSync(
      join(dir, 'template.yaml'),
      `Transform: AWS::Serverless-2016-10-31
Resources:
  NoHandler:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: missing.handler
      Runtime: nodejs20.x
  BadRequirement:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: app.lambda_handler
      Runtime: python3.11
  BigEnvironment:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
      Environment:
        Variables:
          SMALL: ok
          HUGE: ${big}
  NotInstalled:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: deps/
      Handler: app.handler
      Runtime: nodejs20.x
`,
    );
    mkdirSync(join(dir, 'src/lib'), { recursive: true });
    writeFileSync(join(dir, 'src/app.js'), 'exports.handler = async () => 1;\n');
    writeFileSync(join(dir, 'src/lib/other.js'), '\n');
    mkdirSync(join(dir, 'py'));
    writeFileSync(join(dir, 'py/app.py'), 'def lambda_handler(e, c):\n    return 1\n');
    writeFileSync(join(dir, 'py/requirements.txt'), '# needed\nnot-a-real-package-xyz==9.9\n');
    mkdirSync(join(dir, 'deps'));
    writeFileSync(join(dir, 'deps/app.js'), 'exports.handler = async () => 1;\n');
    writeFileSync(join(dir, 'deps/package.json'), JSON.stringify({ dependencies: { 'left-pad': '1.3.0' } }));
    mkdirSync(join(dir, 'empty-wheels'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a handler missing from the package names the function, the handler and what is there', async () => {
    const r = await runCli(['build', 'NoHandler'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /error\[HandlerNotFound\]: NoHandler: Handler 'missing\.handler' has no file in the package/,
    );
    assert.match(r.stderr, /missing\.js, missing\.mjs, missing\.cjs/);
    assert.match(r.stderr, /holds: app\.js, lib\//);
    assert.match(r.stderr, /template\.yaml:\d+/);
  });

  test('a requirement the wheelhouse cannot satisfy names the function and the requirement', async () => {
    const r = await runCli(['build', 'BadRequirement', '--wheelhouse', 'empty-wheels'], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /error\[RequirementNotFound\]: BadRequirement: requirement 'not-a-real-package-xyz==9\.9' cannot be installed: no matching wheel in the wheelhouse .*empty-wheels/,
    );
    assert.match(r.stderr, /requirements\.txt:2/);
  });

  test('environment variables over 4 KB are refused, as Lambda measures them', async () => {
    const r = await runCli(['build', 'BigEnvironment', '--json'], { cwd: dir });
    assert.equal(r.code, 2);
    const err = JSON.parse(r.stderr.trim().split('\n').pop()!) as { code: string; message: string };
    assert.equal(err.code, 'EnvironmentTooLarge');
    assert.match(
      err.message,
      /^BigEnvironment: its environment variables take 50\d\d bytes, over Lambda's 4 KB limit/,
    );
    assert.match(err.message, /largest: HUGE/);
  });

  test('a production dependency that is not installed is named', async () => {
    const r = await runCli(['build', 'NotInstalled'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error\[DependencyNotInstalled\]: NotInstalled: 'left-pad'/);
    assert.match(r.stderr, /npm install/);
  });

  test('an unknown logical id lists the known ones', async () => {
    const r = await runCli(['build', 'Nope'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error\[UnknownLogicalId\]: no function or layer 'Nope'/);
    assert.match(r.stderr, /NoHandler, BadRequirement, BigEnvironment, NotInstalled/);
  });
});
