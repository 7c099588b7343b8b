import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadProject } from './load.ts';
import { loadError, loadText, samTemplate } from './test-helpers.ts';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures');

test('hello-world (sam init): function, implicit REST API, generated resources, outputs', async () => {
  const p = await loadProject({ template: join(FIXTURES, 'hello-world') });
  assert.equal(p.stackName, 'hello-world');
  const fn = p.functions.get('HelloWorldFunction')!;
  assert.match(fn.functionName, /^hello-world-HelloWorldFunction-[A-Z0-9]{13}$/);
  assert.equal(fn.arn, `arn:aws:lambda:us-east-1:123456789012:function:${fn.functionName}`);
  assert.equal(fn.codeDir, join(FIXTURES, 'hello-world', 'hello-world'));
  assert.equal(fn.runtimeFamily, 'nodejs');
  assert.deepEqual(fn.loggingConfig, { logFormat: 'JSON' });
  assert.deepEqual(fn.build, {
    method: 'esbuild',
    esbuild: { entryPoints: ['app.ts'], target: 'es2020', minify: true, sourcemap: true },
  });
  assert.equal(p.apis.length, 1);
  const api = p.apis[0]!;
  assert.equal(api.logicalId, 'ServerlessRestApi');
  assert.equal(api.stageName, 'Prod');
  assert.deepEqual(api.routes, [
    {
      method: 'GET',
      path: '/hello',
      functionLogicalId: 'HelloWorldFunction',
      eventId: 'HelloWorld',
      payloadFormatVersion: '1.0',
    },
  ]);
  const rest = p.resources.get('ServerlessRestApi')!;
  assert.match(rest.ref, /^[a-z0-9]{10}$/);
  assert.ok(rest.generated);
  assert.match(rest.attributes['RootResourceId']!, /^[a-z0-9]{10}$/);
  assert.equal(p.resources.get('ServerlessRestApiProdStage')?.ref, 'Prod');
  assert.ok([...p.resources.keys()].some((k) => /^ServerlessRestApiDeployment[0-9a-f]{10}$/.test(k)));
  assert.ok(p.resources.has('HelloWorldFunctionRole'));
  // SAM names an Api event's permission <Fn><Event>Permission<Stage>.
  assert.ok(p.resources.has('HelloWorldFunctionHelloWorldPermissionProd'));
  assert.equal(
    p.outputs['HelloWorldApi'],
    `https://${rest.ref}.execute-api.us-east-1.amazonaws.com/Prod/hello/`,
  );
  assert.equal(
    p.outputs['HelloWorldFunctionIamRole'],
    p.resources.get('HelloWorldFunctionRole')!.attributes['Arn'],
  );
  assert.deepEqual(p.warnings, []);
  // Stable across loads.
  const again = await loadProject({ template: join(FIXTURES, 'hello-world', 'template.yaml') });
  assert.equal(again.resources.get('ServerlessRestApi')!.ref, rest.ref);
  assert.equal(again.functions.get('HelloWorldFunction')!.functionName, fn.functionName);
});

test('template.yml discovery, python, arm64, implicit HTTP API', async () => {
  const p = await loadProject({ cwd: join(FIXTURES, 'yml-app') });
  assert.equal(p.templatePath, join(FIXTURES, 'yml-app', 'template.yml'));
  const fn = p.functions.get('PyFunction')!;
  assert.equal(fn.runtimeFamily, 'python');
  assert.deepEqual(fn.architectures, ['arm64']);
  const api = p.apis[0]!;
  assert.equal(api.logicalId, 'ServerlessHttpApi');
  assert.equal(api.protocol, 'HTTP');
  assert.equal(api.stageName, '$default');
  assert.equal(api.routes[0]?.payloadFormatVersion, '2.0');
  const http = p.resources.get('ServerlessHttpApi')!;
  assert.equal(http.attributes['ApiEndpoint'], `https://${http.ref}.execute-api.us-east-1.amazonaws.com`);
  assert.ok(p.resources.has('ServerlessHttpApiApiGatewayDefaultStage'));
  assert.ok(p.resources.has('PyFunctionHttpPermission'));
});

test('JSON template with plain CloudFormation Lambda functions', async () => {
  const p = await loadProject({ template: join(FIXTURES, 'json-app') });
  const fn = p.functions.get('Fn')!;
  assert.equal(fn.resourceType, 'AWS::Lambda::Function');
  assert.equal(fn.functionName, 'json-app-fn');
  assert.equal(fn.codeDir, join(FIXTURES, 'json-app', 'src'));
  assert.deepEqual(fn.environment, { GREETING: 'hi', PORT: '8080', ON: 'true' });
  assert.equal(fn.tracing, 'Active');
  const dlq = p.resources.get('Dlq')!;
  assert.match(dlq.attributes['QueueName']!, /\.fifo$/);
  assert.deepEqual(fn.deadLetterQueue, { type: 'SQS', targetArn: dlq.attributes['Arn'] });
  assert.deepEqual(fn.eventInvokeConfig, {
    maximumRetryAttempts: 1,
    destinationConfig: { onFailure: { destination: dlq.attributes['Arn'] } },
  });
  const inline = p.functions.get('Inline')!;
  assert.equal(inline.inlineCode, 'def handler(e, c):\n  return 1\n');
  assert.equal(p.outputs['FnArn'], fn.arn);
  assert.equal(
    p.resources.get('Role')!.attributes['Arn'],
    `arn:aws:iam::123456789012:role/${p.resources.get('Role')!.ref}`,
  );
});

test('every event type, Globals, layers, explicit APIs with auth and CORS', async () => {
  const p = await loadProject({ template: join(FIXTURES, 'all-events', 'template.yaml') });
  const fn = p.functions.get('EventsFunction')!;
  assert.equal(fn.functionName, 'all-events-events');
  assert.equal(fn.timeout, 10);
  assert.equal(fn.memorySize, 256);
  assert.equal(fn.environment['STAGE'], 'dev');
  assert.equal(fn.environment['TABLE_NAME'], 'all-events-items');
  assert.equal(fn.environment['LOG_LEVEL'], 'DEBUG');
  assert.equal(fn.environment['DEBUG'], 'true');
  assert.equal(fn.environment['SUBNET'], 'subnet-2');
  assert.equal(fn.layers[0]?.logicalId, 'CommonLayer');
  assert.equal(fn.layers[0]?.contentDir, join(FIXTURES, 'all-events', 'layers', 'common'));
  assert.match(
    fn.layers[0].arn,
    /^arn:aws:lambda:us-east-1:123456789012:layer:all-events-CommonLayer-[A-Z0-9]{13}:1$/,
  );
  assert.deepEqual(
    fn.events.map((e) => e.type),
    [
      'Api',
      'Api',
      'Api',
      'HttpApi',
      'HttpApi',
      'S3',
      'SQS',
      'SNS',
      'Kinesis',
      'DynamoDB',
      'EventBridgeRule',
      'CloudWatchEvent',
      'Schedule',
      'ScheduleV2',
      'CloudWatchLogs',
    ],
  );
  const s3 = fn.events.find((e) => e.id === 'S3')!;
  assert.equal(s3.properties['Bucket'], p.resources.get('Bucket')!.ref);
  assert.equal(
    fn.events.find((e) => e.id === 'SQS')!.properties['Queue'],
    p.resources.get('Queue')!.attributes['Arn'],
  );
  for (const id of ['EventsFunctionSQS', 'EventsFunctionKinesis', 'EventsFunctionDynamoDB']) {
    assert.equal(p.resources.get(id)?.type, 'AWS::Lambda::EventSourceMapping', id);
  }
  for (const id of ['EventsFunctionRule', 'EventsFunctionCwEvent', 'EventsFunctionSchedule']) {
    assert.equal(p.resources.get(id)?.type, 'AWS::Events::Rule', id);
    assert.ok(p.resources.has(`${id}Permission`), id);
  }
  assert.equal(p.resources.get('EventsFunctionSNS')?.type, 'AWS::SNS::Subscription');
  assert.ok(p.resources.has('EventsFunctionS3Permission'));
  assert.ok(p.resources.has('EventsFunctionRestPermissionv1'));
  assert.ok(p.resources.has('EventsFunctionImplicitPermissionProd'));
  assert.ok(p.resources.has('RestApiv1Stage'));
  assert.ok(p.resources.has('HttpApiApiGatewayDefaultStage'));
  assert.ok(p.resources.has('RestApiTokenAuthAuthorizerPermission'));
  assert.ok(!p.resources.has('ProdOnlyQueue'));

  const byId = new Map(p.apis.map((a) => [a.logicalId, a]));
  assert.deepEqual([...byId.keys()], ['ServerlessRestApi', 'ServerlessHttpApi', 'RestApi', 'HttpApi']);
  const rest = byId.get('RestApi')!;
  assert.equal(rest.stageName, 'v1');
  assert.deepEqual(rest.stageVariables, { mode: 'test' });
  assert.deepEqual(rest.binaryMediaTypes, ['image/png']);
  assert.deepEqual(rest.cors, {
    allowOrigins: ['https://example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['Content-Type', 'Authorization'],
    exposeHeaders: [],
    allowCredentials: true,
    maxAge: 600,
  });
  assert.equal(rest.defaultAuthorizer, 'TokenAuth');
  assert.deepEqual(rest.authorizers['TokenAuth'], {
    name: 'TokenAuth',
    type: 'TOKEN',
    identitySource: ['method.request.header.X-Token'],
    ttlSeconds: 60,
    functionLogicalId: 'AuthFunction',
    validationExpression: '^Bearer .+$',
  });
  assert.deepEqual(rest.authorizers['RequestAuth']?.identitySource, [
    'method.request.header.X-User',
    'method.request.querystring.token',
  ]);
  assert.equal(rest.authorizers['RequestAuth']?.ttlSeconds, 300);
  assert.deepEqual(rest.usagePlan, { CreateUsagePlan: 'PER_API', Quota: { Limit: 100, Period: 'DAY' } });
  assert.deepEqual(
    rest.routes.map((r) => [r.method, r.path, r.authorizer]),
    [
      ['GET', '/items/{id}', 'RequestAuth'],
      ['ANY', '/health', 'NONE'],
    ],
  );
  // Globals.Api applies to the implicit API too: the string form of Cors.
  const implicit = byId.get('ServerlessRestApi')!;
  assert.deepEqual(implicit.cors?.allowOrigins, ['*']);
  assert.deepEqual(
    implicit.routes.map((r) => [r.method, r.path]),
    [['POST', '/implicit']],
  );

  const http = byId.get('HttpApi')!;
  assert.deepEqual(http.stageVariables, { color: 'blue' });
  assert.deepEqual(http.cors, {
    allowOrigins: ['*'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: [],
    exposeHeaders: [],
    allowCredentials: false,
    maxAge: 300,
  });
  assert.deepEqual(http.authorizers['LambdaAuth'], {
    name: 'LambdaAuth',
    type: 'REQUEST',
    identitySource: ['$request.header.Authorization'],
    ttlSeconds: 0,
    payloadFormatVersion: '2.0',
    enableSimpleResponses: true,
    functionLogicalId: 'AuthFunction',
  });
  assert.deepEqual(http.authorizers['Jwt']?.jwtConfiguration, {
    issuer: 'https://issuer.example.com',
    audience: ['my-app'],
  });
  assert.deepEqual(http.routes, [
    {
      method: 'POST',
      path: '/orders',
      functionLogicalId: 'EventsFunction',
      eventId: 'Http',
      payloadFormatVersion: '1.0',
      timeoutInMillis: 5000,
    },
  ]);
  assert.deepEqual(
    byId.get('ServerlessHttpApi')!.routes.map((r) => [r.method, r.path]),
    [['ANY', '$default']],
  );
  assert.equal(p.outputs['HttpUrl'], p.resources.get('HttpApi')!.attributes['ApiEndpoint']);
  assert.ok(!('ProdQueue' in p.outputs));
});

test('Globals merge as SAM does: primitives overridden, maps merged, lists concatenated', async () => {
  const p = await loadText(
    samTemplate(
      `      Timeout: 30
      Environment:
        Variables:
          B: local
          C: c
      Layers:
        - arn:aws:lambda:us-east-1:123456789012:layer:local:1
      Tags:
        team: !Ref AWS::NoValue
`,
      `Globals:
  Function:
    Timeout: 5
    MemorySize: 1024
    Architectures: [arm64]
    Environment:
      Variables:
        A: global
        B: global
    Layers:
      - arn:aws:lambda:us-east-1:123456789012:layer:global:1
`,
    ),
  );
  const fn = p.functions.get('Fn')!;
  assert.equal(fn.timeout, 30);
  assert.equal(fn.memorySize, 1024);
  assert.deepEqual(fn.architectures, ['arm64']);
  assert.deepEqual(fn.environment, { A: 'global', B: 'local', C: 'c' });
  assert.deepEqual(
    fn.layers.map((l) => l.arn.split(':')[6]),
    ['global', 'local'],
  );
  assert.equal(p.warnings.filter((w) => w.includes('is not in this template')).length, 2);
});

test('defaults, InlineCode, zip CodeUri, EphemeralStorage, DeadLetterQueue, EventInvokeConfig, Image', async () => {
  const p = await loadText(
    samTemplate(`  Inline:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 1"
      Handler: index.handler
      Runtime: nodejs22.x
      EphemeralStorage: { Size: 1024 }
      ReservedConcurrentExecutions: 2
      Tracing: Active
      DeadLetterQueue: { Type: SNS, TargetArn: !Ref Topic }
      EventInvokeConfig:
        MaximumRetryAttempts: 0
        MaximumEventAgeInSeconds: 60
        DestinationConfig:
          OnSuccess: { Type: SQS, Destination: !GetAtt Q.Arn }
  Zipped:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: dist/fn.zip
      Handler: index.handler
      Runtime: provided.al2023
  Image:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: repo/image:latest
  Topic:
    Type: AWS::SNS::Topic
  Q:
    Type: AWS::SQS::Queue
`),
  );
  const fn = p.functions.get('Fn')!;
  assert.equal(fn.timeout, 3);
  assert.equal(fn.memorySize, 128);
  assert.equal(fn.ephemeralStorageMB, 512);
  assert.deepEqual(fn.architectures, ['x86_64']);
  assert.equal(fn.packageType, 'Zip');
  assert.deepEqual(fn.loggingConfig, { logFormat: 'Text' });
  const inline = p.functions.get('Inline')!;
  assert.equal(inline.inlineCode, 'exports.handler = async () => 1');
  assert.equal(inline.ephemeralStorageMB, 1024);
  assert.equal(inline.reservedConcurrentExecutions, 2);
  assert.equal(inline.tracing, 'Active');
  assert.deepEqual(inline.deadLetterQueue, { type: 'SNS', targetArn: p.resources.get('Topic')!.ref });
  assert.deepEqual(inline.eventInvokeConfig, {
    maximumRetryAttempts: 0,
    maximumEventAgeInSeconds: 60,
    destinationConfig: { onSuccess: { type: 'SQS', destination: p.resources.get('Q')!.attributes['Arn'] } },
  });
  assert.ok(p.resources.has('InlineEventInvokeConfig'));
  const zipped = p.functions.get('Zipped')!;
  assert.match(zipped.codeZip!, /my-app\/dist\/fn\.zip$/);
  assert.equal(zipped.codeDir, undefined);
  assert.equal(zipped.runtimeFamily, 'provided');
  const image = p.functions.get('Image')!;
  assert.equal(image.packageType, 'Image');
  assert.equal(image.runtimeFamily, 'provided');
  assert.ok(p.warnings.some((w) => w.startsWith('Image: PackageType Image')));
});

test('Ref and GetAtt of SAM-generated and common resources', async () => {
  const p = await loadText(
    samTemplate(`      Events:
        Get:
          Type: Api
          Properties: { Path: /, Method: get }
  Bucket:
    Type: AWS::S3::Bucket
  Named:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "\${AWS::StackName}-named"
  Table:
    Type: AWS::Serverless::SimpleTable
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {}
  Custom:
    Type: Custom::Thing
    Properties:
      ServiceToken: !GetAtt Fn.Arn
`) +
      `Outputs:
  Root: { Value: !GetAtt ServerlessRestApi.RootResourceId }
  Stage: { Value: !Ref ServerlessRestApiProdStage }
  Role: { Value: !Ref FnRole }
  Bucket: { Value: !GetAtt Bucket.WebsiteURL }
  Named: { Value: !GetAtt Named.RegionalDomainName }
  Table: { Value: !GetAtt Table.Arn }
  Machine: { Value: !Ref Machine }
  MachineRole: { Value: !GetAtt MachineRole.Arn }
  Custom: { Value: !GetAtt Custom.Anything }
`,
  );
  const bucket = p.resources.get('Bucket')!.ref;
  assert.match(bucket, /^my-app-bucket-[a-z0-9]{13}$/);
  assert.equal(p.outputs['Bucket'], `http://${bucket}.s3-website-us-east-1.amazonaws.com`);
  assert.equal(p.outputs['Named'], 'my-app-named.s3.us-east-1.amazonaws.com');
  assert.equal(p.outputs['Stage'], 'Prod');
  assert.match(String(p.outputs['Role']), /^my-app-FnRole-[A-Z0-9]{13}$/);
  assert.match(String(p.outputs['Table']), /^arn:aws:dynamodb:us-east-1:123456789012:table\/my-app-Table-/);
  assert.match(
    String(p.outputs['Machine']),
    /^arn:aws:states:us-east-1:123456789012:stateMachine:my-app-Machine-/,
  );
  assert.match(String(p.outputs['MachineRole']), /^arn:aws:iam::123456789012:role\//);
  assert.equal(typeof p.outputs['Custom'], 'string');
  assert.ok(p.warnings.some((w) => w.startsWith('AWS::Serverless::StateMachine (Machine): not emulated')));
  assert.ok(p.warnings.some((w) => w.startsWith('Custom::Thing (Custom): not emulated')));
});

test('resource Metadata is kept on the record, intrinsics resolved; absent when none', async () => {
  const p = await loadText(
    samTemplate(`  Assets:
    Type: AWS::S3::Bucket
    Metadata:
      Slipway:
        Seed: seed/assets
      Owner: !Sub "\${AWS::StackName}-team"
      Fn: !Ref Fn
  Plain:
    Type: AWS::S3::Bucket
`),
  );
  assert.deepEqual(p.resources.get('Assets')?.metadata, {
    Slipway: { Seed: 'seed/assets' },
    Owner: 'my-app-team',
    Fn: p.resources.get('Fn')?.ref,
  });
  assert.equal(p.resources.get('Plain')?.metadata, undefined);
  assert.ok(!('metadata' in p.resources.get('Plain')!));
});

test('esbuild BuildProperties', async () => {
  const p = await loadText(
    samTemplate(`    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        Format: esm
        OutExtension: ['.js=.mjs']
        External: ['@aws-sdk/*']
        MainFields: module,main
        Loader: ['.png=file']
        Banner: "js=import { createRequire } from 'module';"
        EntryPoints: [app.ts]
`),
  );
  assert.deepEqual(p.functions.get('Fn')!.build, {
    method: 'esbuild',
    esbuild: {
      entryPoints: ['app.ts'],
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      external: ['@aws-sdk/*'],
      mainFields: ['module', 'main'],
      loader: { '.png': 'file' },
      banner: "js=import { createRequire } from 'module';",
    },
  });
});

test('deprecated runtimes load with a warning', async () => {
  const p = await loadText(samTemplate('').replace('nodejs20.x', 'nodejs16.x'));
  assert.equal(p.functions.get('Fn')!.runtime, 'nodejs16.x');
  assert.ok(p.warnings.some((w) => w.includes('nodejs16.x is deprecated')));
});

test('errors in a list merged from Globals point at the item', async () => {
  const err = await loadError(
    samTemplate(
      '      Layers:\n        - !Ref Nope\n',
      'Globals:\n  Function:\n    Layers:\n      - arn:aws:lambda:us-east-1:1:layer:x:1\n',
    ),
  );
  assert.equal(err.code, 'TemplateInvalid');
  assert.equal(err.where?.line, 15);
  assert.equal(err.where?.column, 11);
});

test('RecursiveLoop is read from the function (and Globals)', async () => {
  const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'slipway-rl-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(
    join(dir, 'template.yaml'),
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Globals:',
      '  Function:',
      '    RecursiveLoop: Allow',
      'Resources:',
      '  Fn:',
      '    Type: AWS::Serverless::Function',
      '    Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs20.x }',
      '  Strict:',
      '    Type: AWS::Serverless::Function',
      '    Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs20.x, RecursiveLoop: Terminate }',
    ].join('\n'),
  );
  const project = await loadProject({ template: dir });
  assert.equal(project.functions.get('Fn')?.recursiveLoop, 'Allow');
  assert.equal(project.functions.get('Strict')?.recursiveLoop, 'Terminate');
});
