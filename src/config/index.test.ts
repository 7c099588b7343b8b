import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devConfig, invokeConfig } from './index.ts';
import { SlipwayError } from '../shared/errors.ts';

test('dev config: defaults are loopback, 4566 and 3000, region from the environment', () => {
  const c = devConfig({}, { AWS_REGION: 'eu-west-1' }, '/p');
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 4566);
  assert.equal(c.apiPort, 3000);
  assert.equal(c.region, 'eu-west-1');
  assert.equal(c.accountId, '123456789012');
  assert.equal(c.transport, 'auto');
  assert.ok(Object.isFrozen(c));
});

test('dev config: flags win over the environment; bad values are named', () => {
  const c = devConfig(
    { region: 'ap-south-1', port: '0', apiPort: '8080' },
    { AWS_REGION: 'eu-west-1' },
    '/p',
  );
  assert.equal(c.region, 'ap-south-1');
  assert.equal(c.port, 0);
  assert.equal(c.apiPort, 8080);
  assert.throws(
    () => devConfig({ port: 'abc' }, {}, '/p'),
    (e: unknown) => e instanceof SlipwayError && /--port/.test(e.message),
  );
  assert.throws(() => devConfig({ runtimeApi: 'pipe' }, {}, '/p'), /--runtime-api/);
  assert.throws(() => devConfig({ accountId: '12' }, {}, '/p'), /--account-id/);
  assert.throws(() => invokeConfig('Fn', { debugPort: '0' }, {}, '/p'), /--debug-port/);
});
