import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluatePolicy,
  methodArn,
  policyStatements,
  wildcardMatch,
  type PolicyStatement,
} from './policy.ts';

const arn = methodArn('us-east-1', '123456789012', 'abcdef1234', 'Prod', 'GET', '/users/42');

function statements(...s: PolicyStatement[]): PolicyStatement[] {
  return s;
}

test('method ARN has AWS shape', () => {
  assert.equal(arn, 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/Prod/GET/users/42');
  assert.equal(methodArn('r', 'a', 'i', 's', 'GET', '/'), 'arn:aws:execute-api:r:a:i/s/GET/');
});

test('IAM wildcards: * spans anything, ? one character', () => {
  assert.ok(wildcardMatch('arn:aws:execute-api:us-east-1:123456789012:abcdef1234/*', arn));
  assert.ok(wildcardMatch('arn:aws:execute-api:*:*:*/Prod/GET/users/*', arn));
  assert.ok(wildcardMatch('arn:aws:execute-api:us-east-1:123456789012:abcdef1234/Prod/GET/users/4?', arn));
  assert.ok(!wildcardMatch('arn:aws:execute-api:us-east-1:123456789012:abcdef1234/Prod/POST/*', arn));
  assert.ok(!wildcardMatch('arn:aws:execute-api:us-east-1:123456789012:abcdef1234/Prod/GET/users', arn));
  assert.ok(wildcardMatch('*', arn));
  assert.ok(wildcardMatch('a.b(c)', 'a.b(c)'));
  assert.ok(!wildcardMatch('a.b*', 'aXb'));
});

test('allow, explicit deny wins, implicit deny', () => {
  const allowAll = { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*' };
  const denyUsers = { Effect: 'Deny', Action: ['execute-api:Invoke'], Resource: ['*/GET/users/*'] };
  assert.equal(evaluatePolicy(statements(allowAll), arn), 'Allow');
  assert.equal(
    evaluatePolicy(
      statements(allowAll, { ...denyUsers, Resource: ['arn:aws:execute-api:*/GET/users/*'] }),
      arn,
    ),
    'ExplicitDeny',
  );
  assert.equal(
    evaluatePolicy(statements({ ...allowAll, Resource: 'arn:aws:execute-api:*/POST/*' }), arn),
    'ImplicitDeny',
  );
  assert.equal(evaluatePolicy(statements({ ...allowAll, Action: 'execute-api:*' }), arn), 'Allow');
  assert.equal(evaluatePolicy(statements({ ...allowAll, Action: 's3:GetObject' }), arn), 'ImplicitDeny');
  assert.equal(
    evaluatePolicy(
      statements({ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:execute-api:*/DELETE/*' }),
      arn,
    ),
    'Allow',
  );
  assert.equal(evaluatePolicy([], arn), 'ImplicitDeny');
});

test('policyStatements accepts one statement or a list, refuses the rest', () => {
  assert.equal(policyStatements({ Statement: { Effect: 'Allow' } }).ok, true);
  assert.equal(policyStatements({ Statement: [{ Effect: 'Allow' }] }).ok, true);
  assert.equal(policyStatements({}).ok, false);
  assert.equal(policyStatements('x').ok, false);
});
