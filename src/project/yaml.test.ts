import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlipwayError } from '../shared/errors.ts';
import { parseTemplate } from './yaml.ts';

test('short-form tags become their long forms, in scalar, sequence and mapping position', () => {
  const { value } = parseTemplate(
    [
      'a: !Ref Foo',
      'b: !GetAtt Res.Arn',
      'c: !GetAtt [Res, Endpoint.Address]',
      'd: !Sub "${X}"',
      'e: !Sub ["${A}", {A: !Ref B}]',
      'f: !If [Cond, !Join [",", [a, b]], !Ref AWS::NoValue]',
      'g: !Condition IsProd',
      'h: !GetAZs ""',
      'i: !Base64 {"Fn::Sub": "x"}',
      'j: !GetAtt Db.Endpoint.Port',
    ].join('\n'),
    't.yaml',
  );
  assert.deepEqual(value, {
    a: { Ref: 'Foo' },
    b: { 'Fn::GetAtt': ['Res', 'Arn'] },
    c: { 'Fn::GetAtt': ['Res', 'Endpoint.Address'] },
    d: { 'Fn::Sub': '${X}' },
    e: { 'Fn::Sub': ['${A}', { A: { Ref: 'B' } }] },
    f: { 'Fn::If': ['Cond', { 'Fn::Join': [',', ['a', 'b']] }, { Ref: 'AWS::NoValue' }] },
    g: { Condition: 'IsProd' },
    h: { 'Fn::GetAZs': '' },
    i: { 'Fn::Base64': { 'Fn::Sub': 'x' } },
    j: { 'Fn::GetAtt': ['Db', 'Endpoint.Port'] },
  });
});

test('every node keeps its line:column', () => {
  const { value, map } = parseTemplate(
    'Resources:\n  Fn:\n    Type: X\n    Properties:\n      Runtime: !Ref R\n',
    't.yaml',
  );
  const props = (value as { Resources: { Fn: { Properties: Record<string, unknown> } } }).Resources.Fn
    .Properties;
  assert.deepEqual(map.child(props, 'Runtime'), { file: 't.yaml', line: 5, column: 16 });
  assert.deepEqual(map.of(props['Runtime']), { file: 't.yaml', line: 5, column: 16 });
});

test('an unquoted date stays a string (YAML 1.2 core schema), other scalars keep their types', () => {
  const { value } = parseTemplate(
    'AWSTemplateFormatVersion: 2010-09-09\nn: 30\nb: true\ns: "30"\nz: ~\n',
    't.yaml',
  );
  assert.deepEqual(value, { AWSTemplateFormatVersion: '2010-09-09', n: 30, b: true, s: '30', z: null });
});

test('JSON templates parse too, with positions', () => {
  const { value, map } = parseTemplate(
    '{\n  "Resources": {\n    "A": { "Type": "AWS::SQS::Queue" }\n  }\n}',
    't.json',
  );
  assert.deepEqual(value, { Resources: { A: { Type: 'AWS::SQS::Queue' } } });
  const resources = (value as { Resources: object }).Resources;
  assert.equal(map.child(resources, 'A')?.line, 3);
});

test('anchors and aliases resolve', () => {
  const { value } = parseTemplate('a: &x {k: 1}\nb: *x\n', 't.yaml');
  assert.deepEqual(value, { a: { k: 1 }, b: { k: 1 } });
});

test('malformed YAML is a TemplateParseError with the line:column of the problem', () => {
  assert.throws(
    () => parseTemplate('Resources:\n  Fn:\n    Type: [unclosed\n  Other: 1\n', 'bad.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof SlipwayError);
      assert.equal(err.code, 'TemplateParseError');
      assert.equal(err.where?.file, 'bad.yaml');
      assert.equal(typeof err.where?.line, 'number');
      assert.equal(typeof err.where?.column, 'number');
      return true;
    },
  );
});

test('duplicate keys are a parse error', () => {
  assert.throws(() => parseTemplate('a: 1\na: 2\n', 'dup.yaml'), { code: 'TemplateParseError' });
});
