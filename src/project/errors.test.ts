import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SlipwayError, formatError } from '../shared/errors.ts';
import { loadProject } from './load.ts';
import { loadError, samTemplate } from './test-helpers.ts';

/** Asserts the error's code, resource and line (and that a column and hint are there). */
function expectAt(err: SlipwayError, code: string, line: number, resource?: string): void {
  assert.equal(err.code, code, formatError(err));
  assert.equal(err.where?.line, line, formatError(err));
  assert.equal(typeof err.where?.column, 'number', formatError(err));
  if (resource !== undefined) assert.equal(err.where?.resource, resource, formatError(err));
  assert.ok(err.hint, `no hint: ${formatError(err)}`);
}

test('a missing template names the paths tried', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-empty-'));
  await assert.rejects(loadProject({ cwd: dir }), (err: unknown) => {
    assert.ok(err instanceof SlipwayError);
    assert.equal(err.code, 'TemplateNotFound');
    for (const name of ['template.yaml', 'template.yml', 'template.json'])
      assert.ok(err.message.includes(join(dir, name)));
    return true;
  });
  await assert.rejects(loadProject({ template: join(dir, 'nope.yaml') }), { code: 'TemplateNotFound' });
});

test('malformed YAML: TemplateParseError at the line of the problem', async () => {
  const err = await loadError('Resources:\n  Fn:\n    Type: "unterminated\n');
  assert.equal(err.code, 'TemplateParseError');
  assert.equal(typeof err.where?.line, 'number');
});

test('Resources missing or empty', async () => {
  expectAt(await loadError('AWSTemplateFormatVersion: 2010-09-09\nDescription: x\n'), 'TemplateInvalid', 1);
  expectAt(await loadError('Description: x\nResources: {}\n'), 'TemplateInvalid', 2);
});

test('unsupported runtime: resource, line:column of the Runtime value, supported list', async () => {
  const err = await loadError(samTemplate('').replace('nodejs20.x', 'java21'));
  expectAt(err, 'UnsupportedRuntime', 9, 'Fn');
  assert.equal(err.where?.column, 16);
  assert.ok(err.hint!.includes('nodejs20.x') && err.hint!.includes('python3.12'));
  const typo = await loadError(samTemplate('').replace('nodejs20.x', 'nodejs20'));
  assert.ok(typo.hint!.startsWith('did you mean nodejs20.x?'));
  expectAt(
    await loadError(samTemplate('').replace('nodejs20.x', 'nodejs99.x')),
    'UnsupportedRuntime',
    9,
    'Fn',
  );
});

test('a runtime set in Globals is reported at its line in Globals', async () => {
  const text = samTemplate('', 'Globals:\n  Function:\n    Runtime: python2.7\n').replace(
    '      Runtime: nodejs20.x\n',
    '',
  );
  expectAt(await loadError(text), 'UnsupportedRuntime', 4, 'Fn');
});

test('missing Runtime or Handler', async () => {
  expectAt(
    await loadError(samTemplate('').replace('      Runtime: nodejs20.x\n', '')),
    'TemplateInvalid',
    5,
    'Fn',
  );
  expectAt(
    await loadError(samTemplate('').replace('      Handler: app.handler\n', '')),
    'TemplateInvalid',
    5,
    'Fn',
  );
});

test('CodeUri in S3', async () => {
  expectAt(
    await loadError(samTemplate('').replace('CodeUri: src/', 'CodeUri: s3://bucket/key.zip')),
    'CodeUriNotLocal',
    7,
    'Fn',
  );
  expectAt(
    await loadError(samTemplate('').replace('CodeUri: src/', 'CodeUri: { Bucket: b, Key: k }')),
    'CodeUriNotLocal',
    7,
    'Fn',
  );
});

test('Ref to an unknown logical id: TemplateInvalid at the !Ref', async () => {
  const err = await loadError(
    samTemplate('      Environment:\n        Variables:\n          Q: !Ref Missing\n'),
  );
  expectAt(err, 'TemplateInvalid', 12, 'Fn');
  assert.equal(err.where?.column, 14);
  assert.ok(err.message.includes('Missing'));
});

test('GetAtt of an unknown attribute of a known resource', async () => {
  const err = await loadError(
    samTemplate(
      '  Q:\n    Type: AWS::SQS::Queue\n  Other:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !GetAtt Q.Nope\n',
    ),
  );
  expectAt(err, 'TemplateInvalid', 15, 'Other');
  assert.ok(err.hint!.includes('QueueUrl'));
});

test('GetAtt inside Fn::Sub of an unknown resource', async () => {
  const err = await loadError(samTemplate('') + 'Outputs:\n  O:\n    Value: !Sub "${Nope.Arn}"\n');
  expectAt(err, 'TemplateInvalid', 12, 'Outputs.O');
});

test('Ref to a resource whose Condition is false', async () => {
  const top = 'Conditions:\n  Never: !Equals [a, b]\n';
  const err = await loadError(
    samTemplate('  Q:\n    Type: AWS::SQS::Queue\n    Condition: Never\n', top) +
      'Outputs:\n  O:\n    Value: !Ref Q\n',
  );
  assert.equal(err.code, 'TemplateInvalid');
  assert.ok(err.message.includes('Condition Never is false'));
});

test('parameters: missing value, AllowedValues, Number', async () => {
  const top = 'Parameters:\n  Env:\n    Type: String\n';
  const err = await loadError(samTemplate('', top));
  expectAt(err, 'ParameterMissing', 4, 'Parameters.Env');
  assert.ok(err.hint!.includes('--parameter-overrides Env=Value'));
  const allowed = 'Parameters:\n  Env:\n    Type: String\n    Default: dev\n    AllowedValues: [dev, prod]\n';
  const bad = await loadError(samTemplate('', allowed), { parameterOverrides: { Env: 'test' } });
  assert.equal(bad.code, 'ParameterInvalid');
  assert.ok(bad.message.includes('AllowedValues'));
  const num = 'Parameters:\n  N:\n    Type: Number\n    Default: abc\n';
  expectAt(await loadError(samTemplate('', num)), 'ParameterInvalid', 5, 'Parameters.N');
});

test('unknown condition, condition loops, unknown intrinsic, FindInMap miss', async () => {
  const e1 = await loadError(samTemplate('') + 'Outputs:\n  O:\n    Value: !If [Nope, a, b]\n');
  expectAt(e1, 'TemplateInvalid', 12, 'Outputs.O');
  const loop = 'Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n';
  assert.match((await loadError(samTemplate('', loop))).message, /loop/);
  const e3 = await loadError(samTemplate('') + 'Outputs:\n  O:\n    Value: {"Fn::Bogus": 1}\n');
  expectAt(e3, 'TemplateInvalid', 12, 'Outputs.O');
  const e4 = await loadError(
    samTemplate('', 'Mappings:\n  M:\n    a:\n      b: 1\n') +
      'Outputs:\n  O:\n    Value: !FindInMap [M, a, c]\n',
  );
  assert.ok(e4.message.includes('M > a > c'));
});

test('API errors: unknown authorizer, missing StageName, RestApiId not an API', async () => {
  const api = `  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
`;
  const ev = (props: string): string =>
    `      Events:\n        E:\n          Type: Api\n          Properties:\n${props}`;
  const e1 = await loadError(
    samTemplate(
      ev(
        '            RestApiId: !Ref Api\n            Path: /\n            Method: get\n            Auth: { Authorizer: Nope }\n',
      ) + api,
    ),
  );
  expectAt(e1, 'TemplateInvalid', 12, 'Fn');
  const e2 = await loadError(
    samTemplate(
      ev('            RestApiId: !Ref Api\n            Path: /\n            Method: get\n') +
        api.replace('      StageName: prod\n', '      Name: x\n'),
    ),
  );
  assert.equal(e2.where?.resource, 'Api');
  const e3 = await loadError(
    samTemplate(
      ev('            RestApiId: !Ref Q\n            Path: /\n            Method: get\n') +
        '  Q:\n    Type: AWS::SQS::Queue\n',
    ),
  );
  expectAt(e3, 'TemplateInvalid', 14, 'Fn');
});

test('Globals with an unsupported property', async () => {
  expectAt(
    await loadError(samTemplate('', 'Globals:\n  Function:\n    FunctionName: x\n')),
    'TemplateInvalid',
    4,
    'Globals',
  );
});

test('JSON template errors carry line:column too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-json-'));
  const path = join(dir, 'template.json');
  writeFileSync(
    path,
    '{\n  "Resources": {\n    "Q": { "Type": "AWS::SQS::Queue", "Properties": { "QueueName": { "Ref": "Nope" } } }\n  }\n}\n',
  );
  await assert.rejects(loadProject({ template: dir }), (err: unknown) => {
    assert.ok(err instanceof SlipwayError);
    assert.equal(err.where?.file, path);
    assert.equal(err.where?.line, 3);
    assert.equal(err.where?.resource, 'Q');
    return true;
  });
});
