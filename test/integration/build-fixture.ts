/**
 * A project with one function per builder (esbuild, Node.js with production node_modules, Python
 * with requirements, provided) and a layer, written file by file in a chosen order with chosen
 * mtimes, so two checkouts of the same sources differ in everything but content. Also a wheel
 * made by hand (a wheel is a zip with a dist-info folder) so pip needs no index.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Bundled:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: bundled/
      Handler: app.handler
      Runtime: nodejs20.x
      Layers: [!Ref Shared]
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints: [app.ts]
        Minify: false
  Copied:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: copied/
      Handler: src/index.handler
      Runtime: nodejs20.x
      Environment:
        Variables:
          GREETING: hello
  Py:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: py/
      Handler: app.lambda_handler
      Runtime: python3.11
  Custom:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: custom/
      Handler: unused
      Runtime: provided.al2023
  Shared:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
`;

const pkg = (name: string, deps: Record<string, string> = {}, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ name, version: '1.0.0', main: 'index.js', dependencies: deps, ...extra }, null, 2);

/** Path → content (a leading '!' in the content makes the file executable). */
export const FILES: Record<string, string> = {
  'template.yaml': TEMPLATE,
  'bundled/app.ts':
    "import { greet } from './lib/greet';\nexport const handler = async (e: { name?: string }) => ({ bundled: greet(e.name ?? 'world') });\n",
  'bundled/lib/greet.ts': 'export const greet = (n: string): string => `hi ${n}`;\n',
  'bundled/package.json': pkg('bundled'),
  'copied/package.json': pkg('copied', { 'dep-a': '1.0.0' }, { devDependencies: { 'dev-only': '1.0.0' } }),
  'copied/src/index.js':
    "const { a } = require('dep-a');\nconst { util } = require('./util');\nexports.handler = async () => ({ copied: a() + util, greeting: process.env.GREETING });\n",
  'copied/src/util.js': "exports.util = '+util';\n",
  'copied/src/index.test.js': "throw new Error('tests are not packaged');\n",
  'copied/tests/unit.js': "throw new Error('tests are not packaged');\n",
  'copied/node_modules/dep-a/package.json': pkg('dep-a', { 'dep-b': '1.0.0' }),
  'copied/node_modules/dep-a/index.js': "exports.a = () => 'a' + require('dep-b').b;\n",
  'copied/node_modules/dep-b/package.json': pkg('dep-b'),
  'copied/node_modules/dep-b/index.js': "exports.b = '+b';\n",
  'copied/node_modules/dev-only/package.json': pkg('dev-only'),
  'copied/node_modules/dev-only/index.js': 'exports.dev = true;\n',
  'copied/node_modules/.package-lock.json': '{}\n',
  'py/app.py':
    'import tinypkg\n\ndef lambda_handler(event, context):\n    return {"py": tinypkg.shout(event.get("name", "world"))}\n',
  'py/requirements.txt': 'tinypkg==0.1\n',
  'py/__pycache__/app.cpython-311.pyc': 'junk',
  'custom/bootstrap': '!#!/bin/sh\necho bootstrap\n',
  'custom/data/config.txt': 'config\n',
  'custom/.DS_Store': 'junk',
  'layer/nodejs/node_modules/shared/index.js': "exports.shared = 'layer';\n",
  'layer/bin/tool': '!#!/bin/sh\necho tool\n',
};

/** Writes FILES into `root` in the given order, each with the given mtime (seconds). */
export function writeProject(root: string, order: string[], mtime: (i: number) => number): void {
  order.forEach((rel, i) => {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    const content = FILES[rel]!;
    const executable = content.startsWith('!');
    writeFileSync(path, executable ? content.slice(1) : content);
    chmodSync(path, executable ? 0o755 : 0o644);
    utimesSync(path, mtime(i), mtime(i));
  });
}

/** A pure-Python wheel for `tinypkg` 0.1 (`tinypkg.shout(s)`), written with Python's zipfile. */
export function makeWheelhouse(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const script = `
import base64, hashlib, sys, zipfile
files = {
  "tinypkg/__init__.py": "def shout(s):\\n    return s.upper() + '!'\\n",
  "tinypkg-0.1.dist-info/METADATA": "Metadata-Version: 2.1\\nName: tinypkg\\nVersion: 0.1\\n",
  "tinypkg-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: slipway-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
for name, text in files.items():
    data = text.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{name},sha256={digest},{len(data)}")
record.append("tinypkg-0.1.dist-info/RECORD,,")
files["tinypkg-0.1.dist-info/RECORD"] = "\\n".join(record) + "\\n"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
`;
  execFileSync('python3', ['-c', script, join(dir, 'tinypkg-0.1-py3-none-any.whl')]);
}
