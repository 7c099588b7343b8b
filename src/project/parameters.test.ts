import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlipwayError } from '../shared/errors.ts';
import { parseParameterOverrides } from './load.ts';
import { loadText, samTemplate } from './test-helpers.ts';

test('Key=Value pairs, quoted values, escapes', () => {
  assert.deepEqual(parseParameterOverrides('Env=prod Size=3'), { Env: 'prod', Size: '3' });
  assert.deepEqual(parseParameterOverrides(`Name="a b" Other='c d' Url=http://x?a=b`), {
    Name: 'a b',
    Other: 'c d',
    Url: 'http://x?a=b',
  });
  assert.deepEqual(parseParameterOverrides('Q="say \\"hi\\""'), { Q: 'say "hi"' });
  assert.deepEqual(parseParameterOverrides('List=a,b,c'), { List: 'a,b,c' });
  assert.deepEqual(parseParameterOverrides(''), {});
});

test('ParameterKey=K,ParameterValue=V form, mixed with the short form', () => {
  assert.deepEqual(
    parseParameterOverrides(
      'ParameterKey=Env,ParameterValue=prod ParameterKey=Name,ParameterValue="x y" A=1',
    ),
    {
      Env: 'prod',
      Name: 'x y',
      A: '1',
    },
  );
});

test('arrays of CLI tokens, including a token whose quotes the shell removed', () => {
  assert.deepEqual(
    parseParameterOverrides(['Env=prod', 'Msg=hello world', 'ParameterKey=K,ParameterValue=V']),
    {
      Env: 'prod',
      Msg: 'hello world',
      K: 'V',
    },
  );
});

test('garbage is a ParameterOverridesInvalid error', () => {
  assert.throws(
    () => parseParameterOverrides('=oops'),
    (err: unknown) => err instanceof SlipwayError && err.code === 'ParameterOverridesInvalid',
  );
  assert.throws(() => parseParameterOverrides('ParameterKey=K'), { code: 'ParameterOverridesInvalid' });
});

test('SSM parameter types use their Default with a warning; unknown overrides warn', async () => {
  const top = `Parameters:
  Ami:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /my/param
`;
  const p = await loadText(samTemplate('', top), { parameterOverrides: { Unknown: 'x' } });
  assert.equal(p.parameters['Ami'], '/my/param');
  assert.ok(p.warnings.some((w) => w.includes('Ami') && w.includes('SSM')));
  assert.ok(p.warnings.some((w) => w.includes('Unknown')));
});
