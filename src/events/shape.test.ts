/**
 * Golden shapes: every generator with a reference payload in test/fixtures/aws-events
 * (AWS's own aws-lambda-go testdata) must produce the same keys at every level, the same nesting
 * and the same JSON value types. Differences AWS itself makes (optional keys, nulls) are listed
 * per case with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { restProxyEvent } from './apigateway.ts';
import { gunzipBase64Json } from './encoding.ts';
import { fixedEnv, generateEvent, type RawOptions } from './index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtureDir = resolve(repoRoot, 'test/fixtures/aws-events');

function fixture(name: string): unknown {
  const file = resolve(fixtureDir, name);
  if (!existsSync(file))
    assert.fail(`reference fixture missing: ${file} (the shape tests need test/fixtures/aws-events)`);
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

interface Allowance {
  /** Dotted path, `[]` for array elements; a trailing `.*` covers every key under the path. */
  path: string;
  reason: string;
}

interface ShapeRules {
  /** Objects whose keys are data (headers, attributes, images): only their value types are compared. */
  maps?: string[];
  /** Keys AWS sends only sometimes: allowed on either side. */
  optional?: Allowance[];
  /** Values AWS sends as null where the reference has a value. */
  nullable?: Allowance[];
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function covered(list: Allowance[] | undefined, path: string): boolean {
  return (list ?? []).some(
    (a) =>
      a.path === path ||
      (a.path.endsWith('.*') &&
        path.startsWith(a.path.slice(0, -1)) &&
        !path.slice(a.path.length - 1).includes('.')),
  );
}

function compare(gen: unknown, ref: unknown, path: string, rules: ShapeRules, problems: string[]): void {
  const gk = kind(gen);
  const rk = kind(ref);
  const at = path || '(root)';
  if (gk !== rk) {
    if (!(gk === 'null' && covered(rules.nullable, path)))
      problems.push(`${at}: generated ${gk}, reference ${rk}`);
    return;
  }
  if (gk === 'array') {
    const [g, r] = [gen as unknown[], ref as unknown[]];
    if (r.length === 0) return;
    for (const item of g) compare(item, r[0], `${path}[]`, rules, problems);
    return;
  }
  if (gk !== 'object') return;
  const [g, r] = [gen as Record<string, unknown>, ref as Record<string, unknown>];
  if (rules.maps?.includes(path)) {
    const refKinds = new Set(Object.values(r).map(kind));
    for (const [k, v] of Object.entries(g))
      if (refKinds.size > 0 && !refKinds.has(kind(v)))
        problems.push(`${path}.${k}: value ${kind(v)}, reference values ${[...refKinds].join('|')}`);
    return;
  }
  for (const key of new Set([...Object.keys(g), ...Object.keys(r)])) {
    const child = path ? `${path}.${key}` : key;
    if (!(key in r)) {
      if (!covered(rules.optional, child)) problems.push(`${child}: only in the generated event`);
    } else if (!(key in g)) {
      if (!covered(rules.optional, child)) problems.push(`${child}: missing from the generated event`);
    } else compare(g[key], r[key], child, rules, problems);
  }
}

function assertSameShape(gen: unknown, ref: unknown, rules: ShapeRules = {}): void {
  const problems: string[] = [];
  compare(JSON.parse(JSON.stringify(gen)) as unknown, ref, '', rules, problems);
  assert.deepEqual(problems, [], `shape differs from the reference:\n  ${problems.join('\n  ')}`);
}

const gen = (source: string, type: string, options: RawOptions = {}): unknown =>
  generateEvent(source, type, options, undefined, { env: fixedEnv() });

const NULL_IDENTITY = [
  'cognitoIdentityPoolId',
  'accountId',
  'cognitoIdentityId',
  'caller',
  'accessKey',
  'cognitoAuthenticationType',
  'cognitoAuthenticationProvider',
  'userArn',
  'user',
].map((k) => ({
  path: `requestContext.identity.${k}`,
  reason: 'AWS sends null for these on unauthenticated requests',
}));

const REST_MAPS = [
  'headers',
  'multiValueHeaders',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'pathParameters',
  'stageVariables',
];

test('apigateway aws-proxy matches apigw-request.json', () => {
  const event = restProxyEvent(
    {
      api: {
        apiId: 'gy415nuibc',
        stage: 'testStage',
        stageVariables: { stageVariableName: 'stageVariableValue' },
      },
      method: 'POST',
      path: '/hello/world',
      resource: '/{proxy+}',
      body: '{"a": 1}',
      query: [{ name: 'name', value: 'me' }],
      headers: [{ name: 'headerName', value: 'headerValue' }],
    },
    fixedEnv(),
  );
  assertSameShape(event, fixture('apigw-request.json'), {
    maps: REST_MAPS,
    optional: [
      { path: 'requestContext.authorizer', reason: 'present only when a Lambda or Cognito authorizer ran' },
      { path: 'requestContext.identity.apiKey', reason: 'present only when the method requires an API key' },
      {
        path: 'requestContext.identity.apiKeyId',
        reason: 'present only when the method requires an API key',
      },
      {
        path: 'requestContext.identity.clientCert',
        reason: 'present only with mutual TLS on a custom domain',
      },
      {
        path: 'requestContext.identity.principalOrgId',
        reason: 'AWS sends it (null); the Go struct has no field for it',
      },
      { path: 'isBase64Encoded', reason: 'AWS always sends it; the Go testdata leaves it out' },
    ],
    nullable: NULL_IDENTITY,
  });
  // Through the registry too (absent maps become null, as AWS sends them).
  assertSameShape(
    gen('apigateway', 'aws-proxy', { path: '/hello/world', query: ['name=me'] }),
    fixture('apigw-request.json'),
    {
      maps: REST_MAPS,
      optional: [
        { path: 'requestContext.authorizer', reason: 'authorizer only' },
        { path: 'requestContext.identity.apiKey', reason: 'API keys only' },
        { path: 'requestContext.identity.apiKeyId', reason: 'API keys only' },
        { path: 'requestContext.identity.clientCert', reason: 'mutual TLS only' },
        { path: 'requestContext.identity.principalOrgId', reason: 'not in the Go struct' },
        { path: 'isBase64Encoded', reason: 'not in the Go testdata' },
      ],
      nullable: [
        ...NULL_IDENTITY,
        { path: 'stageVariables', reason: 'null when the stage has no variables' },
      ],
    },
  );
});

test('apigateway http-api-proxy matches apigw-v2-request-no-authorizer.json', () => {
  assertSameShape(gen('apigateway', 'http-api-proxy'), fixture('apigw-v2-request-no-authorizer.json'), {
    maps: ['headers'],
    optional: [{ path: 'requestContext.authentication', reason: 'present only with mutual TLS' }],
  });
});

test('apigateway authorizer matches apigw-custom-auth-request.json', () => {
  assertSameShape(gen('apigateway', 'authorizer'), fixture('apigw-custom-auth-request.json'));
});

test('apigateway request-authorizer matches apigw-custom-auth-request-type-request.json', () => {
  const abridged =
    'the reference is the abridged documentation sample; API Gateway sends the full request context';
  assertSameShape(
    gen('apigateway', 'request-authorizer', {
      path: '/request',
      resource: '/request',
      query: ['QueryString1=queryValue1'],
    }),
    fixture('apigw-custom-auth-request-type-request.json'),
    {
      maps: REST_MAPS,
      optional: [
        ...[
          'extendedRequestId',
          'requestTime',
          'protocol',
          'domainPrefix',
          'requestTimeEpoch',
          'domainName',
        ].map((k) => ({
          path: `requestContext.${k}`,
          reason: abridged,
        })),
        { path: 'requestContext.identity.*', reason: abridged },
      ],
      nullable: [
        { path: 'pathParameters', reason: 'null when the resource has no path parameters' },
        { path: 'stageVariables', reason: 'null when the stage has no variables' },
      ],
    },
  );
});

test('s3 put matches s3-event.json', () => {
  assertSameShape(
    gen('s3', 'put', { key: 'Happy Face.jpg', 'version-id': 'version' }),
    fixture('s3-event.json'),
  );
});

test('s3 delete has the s3-event.json shape without size and eTag', () => {
  assertSameShape(gen('s3', 'delete', { 'version-id': 'v1' }), fixture('s3-event.json'), {
    optional: [
      { path: 'Records[].s3.object.size', reason: 'ObjectRemoved events carry no size' },
      { path: 'Records[].s3.object.eTag', reason: 'ObjectRemoved events carry no eTag' },
    ],
  });
});

test('sqs receive-message matches sqs-event.json', () => {
  assertSameShape(
    gen('sqs', 'receive-message', { attribute: ['Attribute1=AttributeValue1'] }),
    fixture('sqs-event.json'),
    {
      maps: ['Records[].messageAttributes', 'Records[].attributes'],
    },
  );
  assertSameShape(gen('sqs', 'receive-message'), fixture('sqs-event.json'), {
    maps: ['Records[].messageAttributes', 'Records[].attributes'],
    optional: [
      { path: 'Records[].md5OfMessageAttributes', reason: 'present only when the message has attributes' },
    ],
  });
});

test('sns notification matches sns-event.json', () => {
  assertSameShape(
    gen('sns', 'notification', { subject: 'TestInvoke', attribute: ['Test=TestString'] }),
    fixture('sns-event.json'),
    { maps: ['Records[].Sns.MessageAttributes'] },
  );
  assertSameShape(gen('sns', 'notification'), fixture('sns-event.json'), {
    maps: ['Records[].Sns.MessageAttributes'],
    nullable: [{ path: 'Records[].Sns.Subject', reason: 'null when the publisher gave no subject' }],
  });
});

test('kinesis get-records matches kinesis-event.json', () => {
  assertSameShape(gen('kinesis', 'get-records', { data: ['a', 'b'] }), fixture('kinesis-event.json'));
});

const DYNAMO_MAPS = ['Records[].dynamodb.Keys', 'Records[].dynamodb.NewImage', 'Records[].dynamodb.OldImage'];
const TTL_ONLY = { path: 'Records[].userIdentity', reason: 'present only on deletions made by TTL' };

test('dynamodb insert and update match dynamodb-event.json', () => {
  assertSameShape(gen('dynamodb', 'insert'), fixture('dynamodb-event.json'), {
    maps: DYNAMO_MAPS,
    optional: [TTL_ONLY],
  });
  assertSameShape(gen('dynamodb', 'update'), fixture('dynamodb-event.json'), {
    maps: DYNAMO_MAPS,
    optional: [
      TTL_ONLY,
      { path: 'Records[].dynamodb.OldImage', reason: 'MODIFY with NEW_AND_OLD_IMAGES carries the old image' },
    ],
  });
});

test('cloudwatch logs matches cloudwatch-logs-event.json, outside and inside awslogs.data', () => {
  const event = gen('cloudwatch', 'logs', { message: ['one', 'two'] }) as { awslogs: { data: string } };
  const reference = fixture('cloudwatch-logs-event.json') as { awslogs: { data: string } };
  assertSameShape(event, reference);
  assertSameShape(gunzipBase64Json(event.awslogs.data), gunzipBase64Json(reference.awslogs.data));
});

test('the comparison itself catches a wrong type, a missing key and an extra key', () => {
  const problems: string[] = [];
  compare({ a: '1', c: 1 }, { a: 1, b: 2 }, '', {}, problems);
  assert.deepEqual(problems.sort(), [
    'a: generated string, reference number',
    'b: missing from the generated event',
    'c: only in the generated event',
  ]);
});
