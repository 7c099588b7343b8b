/**
 * SAM `Globals`, merged into each serverless resource as the SAM translator does: primitives and
 * intrinsics are overridden by the resource, mappings merge key by key (recursively), lists are
 * concatenated (globals first), and a type mismatch keeps the resource's value.
 */
import { invalid, isRecord, type Scope } from './diagnostics.ts';
import { intrinsicName } from './intrinsics.ts';
import type { SourceMap } from './yaml.ts';

/** Globals section name → the resource type it applies to, and the properties it may set. */
const SUPPORTED: Record<string, { type: string; properties: string[] }> = {
  Function: {
    type: 'AWS::Serverless::Function',
    properties: [
      'Handler',
      'Runtime',
      'CodeUri',
      'DeadLetterQueue',
      'Description',
      'MemorySize',
      'Timeout',
      'VpcConfig',
      'Environment',
      'Tags',
      'PropagateTags',
      'Tracing',
      'KmsKeyArn',
      'AutoPublishAlias',
      'AutoPublishAliasAllProperties',
      'Layers',
      'DeploymentPreference',
      'RolePath',
      'PermissionsBoundary',
      'ReservedConcurrentExecutions',
      'ProvisionedConcurrencyConfig',
      'AssumeRolePolicyDocument',
      'EventInvokeConfig',
      'FileSystemConfigs',
      'CodeSigningConfigArn',
      'Architectures',
      'SnapStart',
      'EphemeralStorage',
      'FunctionUrlConfig',
      'RuntimeManagementConfig',
      'LoggingConfig',
      'RecursiveLoop',
      'SourceKMSKeyArn',
    ],
  },
  Api: {
    type: 'AWS::Serverless::Api',
    properties: [
      'Auth',
      'Name',
      'DefinitionUri',
      'CacheClusterEnabled',
      'CacheClusterSize',
      'MergeDefinitions',
      'Variables',
      'EndpointConfiguration',
      'MethodSettings',
      'BinaryMediaTypes',
      'MinimumCompressionSize',
      'Cors',
      'GatewayResponses',
      'AccessLogSetting',
      'CanarySetting',
      'TracingEnabled',
      'OpenApiVersion',
      'Domain',
      'AlwaysDeploy',
      'PropagateTags',
    ],
  },
  HttpApi: {
    type: 'AWS::Serverless::HttpApi',
    properties: [
      'Auth',
      'AccessLogSettings',
      'StageVariables',
      'Tags',
      'CorsConfiguration',
      'DefaultRouteSettings',
      'Domain',
      'RouteSettings',
      'FailOnWarnings',
      'PropagateTags',
    ],
  },
  SimpleTable: { type: 'AWS::Serverless::SimpleTable', properties: ['SSESpecification'] },
  LayerVersion: { type: 'AWS::Serverless::LayerVersion', properties: ['PublishLambdaVersion'] },
  StateMachine: { type: 'AWS::Serverless::StateMachine', properties: ['PropagateTags'] },
};

export class Globals {
  private readonly byType = new Map<string, Record<string, unknown>>();

  constructor(
    section: unknown,
    private readonly map: SourceMap,
    file: string,
  ) {
    if (section === undefined || section === null) return;
    const scope: Scope = { file, resource: 'Globals', loc: map.of(section) };
    if (!isRecord(section)) throw invalid('Globals must be a mapping', scope);
    for (const [name, props] of Object.entries(section)) {
      const spec = SUPPORTED[name];
      const at = { ...scope, loc: map.child(section, name) };
      if (!spec) {
        throw invalid(
          `Globals.${name} is not supported`,
          at,
          `supported: ${Object.keys(SUPPORTED).join(', ')}`,
        );
      }
      if (!isRecord(props)) throw invalid(`Globals.${name} must be a mapping of properties`, at);
      for (const key of Object.keys(props)) {
        if (!spec.properties.includes(key)) {
          throw invalid(
            `Globals.${name}.${key} is not a property SAM accepts in Globals`,
            { ...scope, loc: map.child(props, key) },
            `set ${key} on each resource instead`,
          );
        }
      }
      this.byType.set(spec.type, props);
    }
  }

  /** The resource's properties with the globals for its type merged in. */
  apply(type: string, properties: Record<string, unknown>): Record<string, unknown> {
    const globals = this.byType.get(type);
    if (!globals) return properties;
    return this.merge(globals, properties) as Record<string, unknown>;
  }

  /** Globals first, then the resource's items, keeping each item's source position. */
  private concat(global: unknown[], local: unknown[]): unknown[] {
    const out = [...global, ...local];
    const loc = this.map.of(local) ?? this.map.of(global);
    if (loc) this.map.set(out, loc);
    global.forEach((_, i) => this.map.copyChild(global, i, out));
    local.forEach((_, i) => this.map.copyChild(local, i, out, global.length + i));
    return out;
  }

  private merge(global: unknown, local: unknown): unknown {
    const g = kind(global);
    if (g !== kind(local) || g === 'primitive') return local;
    if (g === 'list') return this.concat(global as unknown[], local as unknown[]);
    const gObj = global as Record<string, unknown>;
    const lObj = local as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const loc = this.map.of(local) ?? this.map.of(global);
    if (loc) this.map.set(out, loc);
    for (const key of Object.keys(gObj)) {
      out[key] = gObj[key];
      this.map.copyChild(gObj, key, out);
    }
    for (const key of Object.keys(lObj)) {
      out[key] = key in gObj ? this.merge(gObj[key], lObj[key]) : lObj[key];
      this.map.copyChild(lObj, key, out);
    }
    return out;
  }
}

function kind(value: unknown): 'primitive' | 'list' | 'dict' {
  if (Array.isArray(value)) return 'list';
  if (isRecord(value) && !intrinsicName(value)) return 'dict';
  return 'primitive';
}
