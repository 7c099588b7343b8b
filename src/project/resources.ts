/**
 * What `Ref` and `Fn::GetAtt` return for each resource type, as CloudFormation does: names, URLs,
 * ARNs built from the configured account and region, and generated names where none is given.
 */
import { text } from './diagnostics.ts';
import { generatedId, generatedName, generatedUuid } from './names.ts';

export interface IdentityInput {
  logicalId: string;
  stackName: string;
  region: string;
  accountId: string;
  partition: string;
  urlSuffix: string;
  /** Base URL of a running Slipway edge (queue URLs point there), when there is one. */
  localEndpoint?: string;
  /** The resolved value of one of the resource's properties (resolved only when asked). */
  prop(name: string): unknown;
}

export interface ResourceIdentity {
  ref: string;
  attributes: Record<string, string>;
}

interface TypeSpec {
  /** The property that names the resource; a generated name is used when it is absent. */
  nameProperty?: string;
  maxLength?: number;
  lowercase?: boolean;
  /** Slipway emulates (or has no need to emulate) this type: no notice. */
  emulated: boolean;
  identity(
    i: IdentityInput,
    name: string,
    arn: (service: string, resource: string) => string,
  ): ResourceIdentity;
}

const byName = (attrs: (name: string, arn: (s: string, r: string) => string) => Record<string, string>) =>
  function (_i: IdentityInput, name: string, arn: (s: string, r: string) => string): ResourceIdentity {
    return { ref: name, attributes: attrs(name, arn) };
  };

const byId = (prefix: string, attrs: Record<string, string> = {}) =>
  function (i: IdentityInput): ResourceIdentity {
    const id = generatedId(`${i.stackName}/${i.logicalId}`, prefix ? 10 : 10);
    return { ref: prefix + id, attributes: attrs };
  };

function fifo(i: IdentityInput): string | undefined {
  const f = i.prop('FifoQueue') ?? i.prop('FifoTopic');
  return f === true || f === 'true' ? '.fifo' : undefined;
}

function functionIdentity(
  i: IdentityInput,
  name: string,
  arn: (s: string, r: string) => string,
): ResourceIdentity {
  const fnArn = arn('lambda', `function:${name}`);
  return { ref: name, attributes: { Arn: fnArn, 'SnapStartResponse.ApplyOn': 'None' } };
}

function restApi(i: IdentityInput): ResourceIdentity {
  const id = generatedId(`${i.stackName}/${i.logicalId}`);
  return {
    ref: id,
    attributes: { RootResourceId: generatedId(`${i.stackName}/${i.logicalId}/root`), RestApiId: id },
  };
}

function httpApi(i: IdentityInput): ResourceIdentity {
  const id = generatedId(`${i.stackName}/${i.logicalId}`);
  return {
    ref: id,
    attributes: { ApiEndpoint: `https://${id}.execute-api.${i.region}.${i.urlSuffix}`, ApiId: id },
  };
}

function stateMachine(
  _i: IdentityInput,
  name: string,
  arn: (s: string, r: string) => string,
): ResourceIdentity {
  const a = arn('states', `stateMachine:${name}`);
  return { ref: a, attributes: { Arn: a, Name: name } };
}

function layer(_i: IdentityInput, name: string, arn: (s: string, r: string) => string): ResourceIdentity {
  const a = arn('lambda', `layer:${name}:1`);
  return { ref: a, attributes: { LayerVersionArn: a } };
}

function dynamoTable(
  _i: IdentityInput,
  name: string,
  arn: (s: string, r: string) => string,
): ResourceIdentity {
  const a = arn('dynamodb', `table/${name}`);
  return { ref: name, attributes: { Arn: a, StreamArn: `${a}/stream/1970-01-01T00:00:00.000` } };
}

const SPECS: Record<string, TypeSpec> = {
  'AWS::Serverless::Function': {
    nameProperty: 'FunctionName',
    maxLength: 64,
    emulated: true,
    identity: functionIdentity,
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    maxLength: 64,
    emulated: true,
    identity: functionIdentity,
  },
  'AWS::Serverless::LayerVersion': {
    nameProperty: 'LayerName',
    maxLength: 140,
    emulated: true,
    identity: layer,
  },
  'AWS::Lambda::LayerVersion': { nameProperty: 'LayerName', maxLength: 140, emulated: true, identity: layer },
  'AWS::Lambda::Permission': { emulated: true, identity: byId('') },
  'AWS::Lambda::EventInvokeConfig': { emulated: true, identity: byId('') },
  'AWS::Lambda::EventSourceMapping': {
    emulated: true,
    identity: (i) => {
      const id = generatedUuid(`${i.stackName}/${i.logicalId}`);
      return { ref: id, attributes: { Id: id } };
    },
  },
  'AWS::Lambda::Url': {
    emulated: true,
    identity: (i) => {
      const id = generatedId(`${i.stackName}/${i.logicalId}`, 32);
      const fn = `arn:${i.partition}:lambda:${i.region}:${i.accountId}:function:${String(i.prop('TargetFunctionArn'))}`;
      return {
        ref: id,
        attributes: { FunctionUrl: `https://${id}.lambda-url.${i.region}.on.aws/`, FunctionArn: fn },
      };
    },
  },
  'AWS::Lambda::Version': {
    emulated: true,
    identity: (i) => {
      const fn = String(i.prop('FunctionName'));
      const base = fn.startsWith('arn:')
        ? fn
        : `arn:${i.partition}:lambda:${i.region}:${i.accountId}:function:${fn}`;
      return { ref: `${base}:1`, attributes: { Version: '1', FunctionArn: base } };
    },
  },
  'AWS::Lambda::Alias': {
    nameProperty: 'Name',
    emulated: true,
    identity: (i, name) => {
      const fn = String(i.prop('FunctionName'));
      const base = fn.startsWith('arn:')
        ? fn
        : `arn:${i.partition}:lambda:${i.region}:${i.accountId}:function:${fn}`;
      return { ref: `${base}:${name}`, attributes: { AliasArn: `${base}:${name}` } };
    },
  },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    maxLength: 64,
    emulated: true,
    identity: (i, name, arn) => {
      const path = typeof i.prop('Path') === 'string' ? String(i.prop('Path')) : '/';
      const roleArn = arn('iam', `role${path}${name}`).replace(`:${i.region}:`, '::');
      return {
        ref: name,
        attributes: { Arn: roleArn, RoleId: `AROA${generatedId(roleArn, 17).toUpperCase()}` },
      };
    },
  },
  'AWS::IAM::Policy': { emulated: true, identity: byId('') },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: 'ManagedPolicyName',
    emulated: true,
    identity: (i, name, arn) => {
      const a = arn('iam', `policy/${name}`).replace(`:${i.region}:`, '::');
      return { ref: a, attributes: { PolicyArn: a } };
    },
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    maxLength: 80,
    emulated: true,
    identity: (i, name, arn) => {
      // Under `slipway dev` the URL points at the local edge: current SDKs send requests to the
      // QueueUrl's host, so an AWS URL would leave the machine.
      const url = i.localEndpoint
        ? `${i.localEndpoint}/${i.accountId}/${name}`
        : `https://sqs.${i.region}.${i.urlSuffix}/${i.accountId}/${name}`;
      return { ref: url, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
    },
  },
  'AWS::SQS::QueuePolicy': { emulated: true, identity: byId('') },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    maxLength: 256,
    emulated: true,
    identity: (_i, name, arn) => {
      const a = arn('sns', name);
      return { ref: a, attributes: { TopicArn: a, TopicName: name } };
    },
  },
  'AWS::SNS::Subscription': {
    emulated: true,
    identity: (i, _name, arn) => {
      const topic = text(i.prop('TopicArn') ?? arn('sns', 'topic'));
      const a = `${topic}:${generatedUuid(`${i.stackName}/${i.logicalId}`)}`;
      return { ref: a, attributes: { Arn: a } };
    },
  },
  'AWS::SNS::TopicPolicy': { emulated: true, identity: byId('') },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    maxLength: 63,
    lowercase: true,
    emulated: true,
    identity: (i, name) => {
      const domain = `${name}.s3.${i.urlSuffix}`;
      return {
        ref: name,
        attributes: {
          Arn: `arn:${i.partition}:s3:::${name}`,
          DomainName: domain,
          DualStackDomainName: `${name}.s3.dualstack.${i.region}.${i.urlSuffix}`,
          RegionalDomainName: `${name}.s3.${i.region}.${i.urlSuffix}`,
          WebsiteURL: `http://${name}.s3-website-${i.region}.${i.urlSuffix}`,
        },
      };
    },
  },
  'AWS::S3::BucketPolicy': { emulated: true, identity: byId('') },
  'AWS::DynamoDB::Table': {
    nameProperty: 'TableName',
    maxLength: 255,
    emulated: true,
    identity: dynamoTable,
  },
  'AWS::Serverless::SimpleTable': {
    nameProperty: 'TableName',
    maxLength: 255,
    emulated: true,
    identity: dynamoTable,
  },
  'AWS::Kinesis::Stream': {
    nameProperty: 'Name',
    maxLength: 128,
    emulated: true,
    identity: byName((name, arn) => ({ Arn: arn('kinesis', `stream/${name}`) })),
  },
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    maxLength: 64,
    emulated: true,
    identity: (i, name, arn) => {
      const bus = i.prop('EventBusName');
      const busName = typeof bus === 'string' && bus !== 'default' ? `${bus.split('/').pop()}/` : '';
      return { ref: name, attributes: { Arn: arn('events', `rule/${busName}${name}`) } };
    },
  },
  'AWS::Events::EventBus': {
    nameProperty: 'Name',
    maxLength: 256,
    emulated: true,
    identity: byName((name, arn) => ({ Arn: arn('events', `event-bus/${name}`), Name: name })),
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    maxLength: 512,
    emulated: true,
    identity: byName((name, arn) => ({ Arn: arn('logs', `log-group:${name}:*`) })),
  },
  'AWS::Serverless::Api': { emulated: true, identity: restApi },
  'AWS::Serverless::HttpApi': { emulated: true, identity: httpApi },
  'AWS::ApiGateway::RestApi': { emulated: false, identity: restApi },
  'AWS::ApiGatewayV2::Api': { emulated: false, identity: httpApi },
  'AWS::ApiGateway::Stage': { nameProperty: 'StageName', emulated: true, identity: byName(() => ({})) },
  'AWS::ApiGatewayV2::Stage': { nameProperty: 'StageName', emulated: true, identity: byName(() => ({})) },
  'AWS::ApiGateway::Deployment': { emulated: true, identity: byId('') },
  'AWS::Serverless::StateMachine': {
    nameProperty: 'Name',
    maxLength: 80,
    emulated: false,
    identity: stateMachine,
  },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    maxLength: 80,
    emulated: false,
    identity: stateMachine,
  },
  'AWS::SSM::Parameter': {
    nameProperty: 'Name',
    emulated: false,
    identity: (i, name) => ({
      ref: name,
      attributes: { Type: text(i.prop('Type') ?? 'String'), Value: text(i.prop('Value') ?? '') },
    }),
  },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    emulated: false,
    identity: (_i, name, arn) => {
      const a = arn('secretsmanager', `secret:${name}-AbCdEf`);
      return { ref: a, attributes: { Id: a } };
    },
  },
};

export function isKnownType(type: string): boolean {
  return type in SPECS;
}

/** Types Slipway neither emulates nor needs (a notice is given per type). */
export function isEmulatedType(type: string): boolean {
  return SPECS[type]?.emulated ?? false;
}

/** The attributes `Fn::GetAtt` accepts for a type, or undefined when any attribute is accepted. */
export function identityOf(type: string, input: IdentityInput): ResourceIdentity & { open: boolean } {
  const arn = (service: string, resource: string): string =>
    `arn:${input.partition}:${service}:${input.region}:${input.accountId}:${resource}`;
  const spec = SPECS[type];
  if (!spec) {
    const name = generatedName(input.stackName, input.logicalId, { maxLength: 128 });
    return { ref: name, attributes: {}, open: true };
  }
  let name = spec.nameProperty ? input.prop(spec.nameProperty) : undefined;
  if (typeof name !== 'string' || name === '') {
    name = generatedName(input.stackName, input.logicalId, {
      maxLength: spec.maxLength,
      lowercase: spec.lowercase,
      ending: fifo(input),
    });
  }
  return { ...spec.identity(input, name as string, arn), open: type.startsWith('Custom::') };
}

/** Attribute of a type Slipway knows nothing about (custom resources, unemulated services). */
export function placeholderAttribute(input: IdentityInput, attribute: string): string {
  return `${generatedName(input.stackName, input.logicalId, { maxLength: 128 })}.${attribute}`;
}
