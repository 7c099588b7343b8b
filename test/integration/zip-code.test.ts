import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/slipway.ts';

/** Writes a zip with Python's zipfile (entries: [name, content, unix mode]). */
function makeZip(path: string, entries: Array<[string, string, number]>): void {
  const script = [
    'import json, sys, zipfile',
    'with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:',
    '    for name, content, mode in json.loads(sys.argv[2]):',
    '        info = zipfile.ZipInfo(name)',
    '        info.external_attr = (0o100000 | mode) << 16',
    '        info.compress_type = zipfile.ZIP_DEFLATED',
    '        z.writestr(info, content)',
  ].join('\n');
  execFileSync('python3', ['-c', script, path, JSON.stringify(entries)]);
}

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Zipped:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: build/fn.zip
      Handler: lib/app.handler
      Runtime: nodejs20.x
  ZippedBootstrap:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: build/custom.zip
      Handler: unused
      Runtime: provided.al2023
  Escaping:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: build/evil.zip
      Handler: app.handler
      Runtime: nodejs20.x
`;

describe('CodeUri pointing at a .zip', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-zip-'));
    execFileSync('mkdir', ['-p', join(dir, 'build')]);
    writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
    makeZip(join(dir, 'build/fn.zip'), [
      ['lib/app.mjs', 'export const handler = async (e) => ({ fromZip: true, e });', 0o644],
    ]);
    makeZip(join(dir, 'build/custom.zip'), [
      [
        'bootstrap',
        '#!/bin/sh\nAPI="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"\nwhile true; do\n  H=$(mktemp); curl -sS -D "$H" -o /dev/null "$API/invocation/next"\n  ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$H" | tr -d "[:space:]" | cut -d: -f2)\n  curl -sS -X POST "$API/invocation/$ID/response" -d \'"unzipped bootstrap"\' >/dev/null\ndone\n',
        0o755,
      ],
    ]);
    makeZip(join(dir, 'build/evil.zip'), [['../../escaped.mjs', 'export const handler = 1;', 0o644]]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a Node function runs from its unpacked archive', async () => {
    const r = await runCli(['invoke', 'Zipped', '--event', '-'], { cwd: dir, input: '{"n":1}' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { fromZip: true, e: { n: 1 } });
  });

  test('a provided bootstrap keeps its executable bit', async () => {
    const r = await runCli(['invoke', 'ZippedBootstrap'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), 'unzipped bootstrap');
  });

  test('an archive whose entries would escape the folder is refused', async () => {
    const r = await runCli(['invoke', 'Escaping'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /error\[CodeArchiveInvalid\]: Escaping: cannot unpack .*evil\.zip/);
    assert.throws(() => execFileSync('ls', [join(dir, '..', 'escaped.mjs')], { stdio: 'ignore' }));
  });
});
