import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatedId, generatedName, sanitizeStackName } from './names.ts';

test('generated names are <stack>-<LogicalId>-<SUFFIX> and stable', () => {
  const a = generatedName('my-app', 'OrdersQueue');
  assert.match(a, /^my-app-OrdersQueue-[A-Z0-9]{13}$/);
  assert.equal(generatedName('my-app', 'OrdersQueue'), a);
  assert.notEqual(generatedName('other-app', 'OrdersQueue'), a);
  assert.notEqual(generatedName('my-app', 'OtherQueue').slice(-13), a.slice(-13));
});

test('bucket names are lower-cased, and names fit the service limit', () => {
  const bucket = generatedName('My-App', 'UploadsBucket', { maxLength: 63, lowercase: true });
  assert.equal(bucket, bucket.toLowerCase());
  const long = generatedName(
    'a-very-long-stack-name-for-testing-limits',
    'AnEvenLongerLogicalIdForAFunctionResource',
    {
      maxLength: 64,
    },
  );
  assert.ok(long.length <= 64, long);
  assert.match(long, /^a-very-long-stack.*-AnEven.*-[A-Z0-9]{13}$/);
  assert.match(generatedName('s', 'Q', { ending: '.fifo', maxLength: 80 }), /\.fifo$/);
});

test('generated ids are lower-case alphanumerics of the asked length', () => {
  assert.match(generatedId('x'), /^[a-z0-9]{10}$/);
  assert.equal(generatedId('x'), generatedId('x'));
});

test('stack names are sanitized from directory names', () => {
  assert.equal(sanitizeStackName('my_app 2'), 'my-app-2');
  assert.equal(sanitizeStackName('123-app'), 'app');
  assert.equal(sanitizeStackName('___'), 'slipway-app');
  assert.ok(sanitizeStackName('x'.repeat(300)).length <= 128);
});
