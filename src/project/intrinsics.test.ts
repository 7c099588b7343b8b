import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, loadText, samTemplate } from './test-helpers.ts';

const PARAMS = `Parameters:
  Env:
    Type: String
    Default: dev
  Ports:
    Type: List<Number>
    Default: "80, 443"
  Size:
    Type: Number
    Default: 3
Mappings:
  Regions:
    us-east-1:
      Ami: ami-east
    eu-west-1:
      Ami: ami-west
Conditions:
  IsDev: !Equals [!Ref Env, dev]
  IsProd: !Not [!Condition IsDev]
  DevInUs: !And [!Condition IsDev, !Equals [!Ref "AWS::Region", us-east-1]]
  Either: !Or [!Condition IsProd, !Condition DevInUs]
`;

test('pseudo parameters', async () => {
  assert.equal(await evaluate('!Ref AWS::Region'), 'us-east-1');
  assert.equal(await evaluate('!Ref AWS::AccountId'), '123456789012');
  assert.equal(await evaluate('!Ref AWS::StackName'), 'my-app');
  assert.equal(await evaluate('!Ref AWS::Partition'), 'aws');
  assert.equal(await evaluate('!Ref AWS::Partition', '', { region: 'cn-north-1' }), 'aws-cn');
  assert.equal(await evaluate('!Ref AWS::URLSuffix', '', { region: 'cn-north-1' }), 'amazonaws.com.cn');
  assert.equal(await evaluate('!Ref AWS::URLSuffix'), 'amazonaws.com');
  assert.match(
    String(await evaluate('!Ref AWS::StackId')),
    /^arn:aws:cloudformation:us-east-1:123456789012:stack\/my-app\//,
  );
  assert.deepEqual(await evaluate('!Ref AWS::NotificationARNs'), []);
  assert.equal(await evaluate('!Ref AWS::StackName', '', { stackName: 'given' }), 'given');
  assert.equal(await evaluate('!Ref AWS::AccountId', '', { accountId: '000000000000' }), '000000000000');
});

test('parameters: defaults, overrides, lists, numbers', async () => {
  assert.equal(await evaluate('!Ref Env', PARAMS), 'dev');
  assert.equal(await evaluate('!Ref Env', PARAMS, { parameterOverrides: { Env: 'prod' } }), 'prod');
  assert.deepEqual(await evaluate('!Ref Ports', PARAMS), ['80', '443']);
  assert.equal(await evaluate('!Join ["-", !Ref Ports]', PARAMS), '80-443');
  assert.equal(await evaluate('!Ref Size', PARAMS), '3');
  const p = await loadText(samTemplate('', PARAMS));
  assert.deepEqual(p.parameters, { Env: 'dev', Ports: '80, 443', Size: '3' });
});

test('Fn::Sub: parameters, resources, attributes, pseudo parameters, literals, two-argument form', async () => {
  const top = PARAMS;
  assert.equal(await evaluate('!Sub "${Env}-${AWS::Region}-${!Literal}"', top), 'dev-us-east-1-${Literal}');
  assert.equal(await evaluate('!Sub "${Fn}"', top), await evaluate('!Ref Fn', top));
  assert.equal(await evaluate('!Sub "${Fn.Arn}"', top), await evaluate('!GetAtt Fn.Arn', top));
  assert.equal(await evaluate('!Sub ["${A}/${Env}", {A: !Join [":", [x, y]]}]', top), 'x:y/dev');
  assert.equal(await evaluate('{"Fn::Sub": ["${Env}", {Env: shadowed}]}', top), 'shadowed');
});

test('Join, Select, Split, nested', async () => {
  assert.equal(await evaluate('!Join ["", [a, !Select [1, !Split [",", "x,y,z"]], c]]'), 'ayc');
  assert.equal(await evaluate('!Select ["0", [first, second]]'), 'first');
  assert.deepEqual(await evaluate('!Split ["/", "a/b"]'), ['a', 'b']);
  assert.equal(await evaluate('!Join [",", [a, !Ref AWS::NoValue, b]]'), 'a,b');
});

test('FindInMap, with the default-value form', async () => {
  assert.equal(await evaluate('!FindInMap [Regions, !Ref AWS::Region, Ami]', PARAMS), 'ami-east');
  assert.equal(
    await evaluate('!FindInMap [Regions, !Ref AWS::Region, Ami]', PARAMS, { region: 'eu-west-1' }),
    'ami-west',
  );
  assert.equal(
    await evaluate('!FindInMap [Regions, ap-south-1, Ami, {DefaultValue: ami-default}]', PARAMS),
    'ami-default',
  );
});

test('Base64, GetAZs, Cidr, Length, ToJsonString', async () => {
  assert.equal(await evaluate('!Base64 "hello"'), 'aGVsbG8=');
  assert.deepEqual(await evaluate('!GetAZs ""'), ['us-east-1a', 'us-east-1b', 'us-east-1c']);
  assert.deepEqual(await evaluate('!GetAZs eu-west-1'), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
  assert.equal(await evaluate('!Select [0, !GetAZs ""]', '', { region: 'eu-central-1' }), 'eu-central-1a');
  assert.deepEqual(await evaluate('!Cidr ["10.0.0.0/16", 3, 8]'), [
    '10.0.0.0/24',
    '10.0.1.0/24',
    '10.0.2.0/24',
  ]);
  assert.deepEqual(await evaluate('!Cidr ["2001:db8::/56", 2, 64]'), ['2001:db8::/64', '2001:db8:0:1::/64']);
  assert.equal(await evaluate('{"Fn::Length": [a, b, c]}'), 3);
  assert.equal(await evaluate('{"Fn::ToJsonString": {a: !Ref AWS::Region}}'), '{"a":"us-east-1"}');
});

test('ImportValue gives a placeholder and a warning', async () => {
  const p = await loadText(samTemplate('') + 'Outputs:\n  O:\n    Value: !ImportValue shared-vpc\n');
  assert.equal(p.outputs['O'], 'imported-shared-vpc');
  assert.ok(p.warnings.some((w) => w.includes('Fn::ImportValue "shared-vpc"')));
});

test('conditions: Equals, Not, And, Or, conditions referring to conditions, Fn::If', async () => {
  assert.equal(await evaluate('!If [IsDev, yes, no]', PARAMS), 'yes');
  assert.equal(await evaluate('!If [IsProd, yes, no]', PARAMS), 'no');
  assert.equal(await evaluate('!If [DevInUs, yes, no]', PARAMS), 'yes');
  assert.equal(await evaluate('!If [DevInUs, yes, no]', PARAMS, { region: 'eu-west-1' }), 'no');
  assert.equal(
    await evaluate('!If [Either, yes, no]', PARAMS, { parameterOverrides: { Env: 'prod' } }),
    'yes',
  );
  // The branch not taken is not resolved, so it may refer to what does not exist.
  assert.equal(await evaluate('!If [IsDev, ok, !Ref Missing]', PARAMS), 'ok');
});

test('AWS::NoValue removes the property and list items', async () => {
  const p = await loadText(
    samTemplate(`      Environment:
        Variables:
          KEEP: x
          DROP: !Ref AWS::NoValue
          MAYBE: !If [IsProd, y, !Ref AWS::NoValue]
      Layers:
        - !If [IsProd, arn:aws:lambda:us-east-1:1:layer:x:1, !Ref AWS::NoValue]
      Timeout: !Ref AWS::NoValue
`).replace('Resources:', `${PARAMS}\nResources:`),
  );
  const fn = p.functions.get('Fn')!;
  assert.deepEqual(fn.environment, { KEEP: 'x' });
  assert.deepEqual(fn.layers, []);
  assert.equal(fn.timeout, 3);
});

test('resources whose Condition is false are dropped; outputs with a false Condition too', async () => {
  const p = await loadText(
    samTemplate(
      `  ProdQueue:
    Type: AWS::SQS::Queue
    Condition: IsProd
  DevQueue:
    Type: AWS::SQS::Queue
    Condition: IsDev
`,
      PARAMS,
    ) +
      'Outputs:\n  Prod:\n    Condition: IsProd\n    Value: !Ref ProdQueue\n  Dev:\n    Value: !If [IsProd, !Ref ProdQueue, !Ref DevQueue]\n',
  );
  assert.ok(!p.resources.has('ProdQueue'));
  assert.ok(p.resources.has('DevQueue'));
  assert.equal(p.resources.get('DevQueue')?.condition, 'IsDev');
  assert.ok(!('Prod' in p.outputs));
  assert.match(
    String(p.outputs['Dev']),
    /^https:\/\/sqs\.us-east-1\.amazonaws\.com\/123456789012\/my-app-DevQueue-/,
  );
});

test('Transform as a list, JSON-style long forms', async () => {
  const text = samTemplate('').replace(
    'Transform: AWS::Serverless-2016-10-31',
    'Transform: [AWS::Serverless-2016-10-31]',
  );
  const p = await loadText(
    text +
      'Outputs:\n  O:\n    Value: {"Fn::Join": ["", [{"Ref": "AWS::Region"}, {"Fn::GetAtt": "Fn.Arn"}]]}\n',
  );
  assert.match(String(p.outputs['O']), /^us-east-1arn:aws:lambda:/);
  assert.deepEqual(p.warnings, []);
});
