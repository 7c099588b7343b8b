/**
 * The typed model of a SAM / CloudFormation project, produced by `loadProject` (./load.ts).
 * Every value here is already resolved: intrinsics evaluated, Globals merged, parameters applied,
 * paths made absolute. Later layers (runtime, apigateway, services, triggers) read only this.
 */

export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export type RuntimeFamily = 'nodejs' | 'python' | 'provided';

export interface EsbuildBuildProperties {
  entryPoints?: string[];
  format?: 'esm' | 'cjs';
  /** e.g. { '.js': '.mjs' } from `OutExtension: ['.js=.mjs']`. */
  outExtension?: Record<string, string>;
  external?: string[];
  target?: string;
  minify?: boolean;
  sourcemap?: boolean;
  mainFields?: string[];
  loader?: Record<string, string>;
  banner?: string;
}

export interface FunctionBuild {
  /** SAM `Metadata.BuildMethod`: `esbuild`, `makefile`, ... */
  method: string;
  esbuild?: EsbuildBuildProperties;
}

export interface LayerModel {
  /** Logical id when the layer is an `AWS::Serverless::LayerVersion` / `AWS::Lambda::LayerVersion` of this template. */
  logicalId?: string;
  arn: string;
  /** Absolute path of a local layer directory (ContentUri); absent for remote layer ARNs (which cannot run locally). */
  contentDir?: string;
}

export interface FunctionEvent {
  /** The event's key under `Events:`. */
  id: string;
  /** SAM event type: Api, HttpApi, S3, SQS, SNS, Kinesis, DynamoDB, EventBridgeRule, CloudWatchEvent, Schedule, ScheduleV2, ... */
  type: string;
  /** Resolved `Properties` of the event. */
  properties: Record<string, unknown>;
}

export interface EventInvokeConfigModel {
  maximumEventAgeInSeconds?: number;
  maximumRetryAttempts?: number;
  destinationConfig?: {
    onSuccess?: { type?: string; destination: string };
    onFailure?: { type?: string; destination: string };
  };
}

export interface LoggingConfigModel {
  logFormat: 'Text' | 'JSON';
  applicationLogLevel?: string;
  systemLogLevel?: string;
  logGroup?: string;
}

export interface FunctionModel {
  logicalId: string;
  resourceType: 'AWS::Serverless::Function' | 'AWS::Lambda::Function';
  /** `FunctionName` property, or a CloudFormation-style generated `<stack>-<LogicalId>-<SUFFIX>`, stable across runs. */
  functionName: string;
  arn: string;
  /** As written, e.g. `nodejs20.x`, `python3.12`, `provided.al2023`. */
  runtime: string;
  runtimeFamily: RuntimeFamily;
  /** e.g. `app.handler`, `src/handlers/get.lambdaHandler`, `bootstrap` for provided. */
  handler: string;
  /** Absolute directory holding the code (CodeUri dir; the unpack dir of a `.zip` CodeUri once unpacked). */
  codeDir?: string;
  /** Absolute path when CodeUri points at a `.zip` file. */
  codeZip?: string;
  inlineCode?: string;
  packageType: 'Zip' | 'Image';
  description?: string;
  /** Seconds; default 3. */
  timeout: number;
  /** MB; default 128. */
  memorySize: number;
  ephemeralStorageMB: number;
  architectures: Array<'x86_64' | 'arm64'>;
  /** Template Environment.Variables, values stringified as Lambda does. */
  environment: Record<string, string>;
  reservedConcurrentExecutions?: number;
  layers: LayerModel[];
  events: FunctionEvent[];
  deadLetterQueue?: { type: 'SQS' | 'SNS'; targetArn: string };
  eventInvokeConfig?: EventInvokeConfigModel;
  loggingConfig: LoggingConfigModel;
  tracing?: 'Active' | 'PassThrough';
  /** `RecursiveLoop`: `Terminate` (AWS's default: a chain of more than 16 invocations is stopped) or `Allow`. */
  recursiveLoop?: 'Allow' | 'Terminate';
  build?: FunctionBuild;
  /**
   * A published version (`1`, `2`, …) the Lambda API made with PublishVersion: its environments run
   * this snapshot and report this version. Absent for `$LATEST`.
   */
  version?: string;
  /** Where the resource is declared. */
  location: SourceLocation;
}

export interface CorsModel {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

export interface AuthorizerModel {
  name: string;
  /** REST: TOKEN | REQUEST (Lambda) or COGNITO_USER_POOLS; HTTP: REQUEST (Lambda) or JWT. */
  type: 'TOKEN' | 'REQUEST' | 'JWT' | 'COGNITO_USER_POOLS';
  functionLogicalId?: string;
  /**
   * Identity sources in API Gateway's own notation:
   * REST `method.request.header.Authorization`, `method.request.querystring.token`;
   * HTTP `$request.header.Authorization`, `$request.querystring.token`.
   */
  identitySource: string[];
  /** Result cache TTL; 0 disables caching. REST default 300, HTTP default 0. */
  ttlSeconds: number;
  /** HTTP API Lambda authorizers: '1.0' | '2.0'. */
  payloadFormatVersion?: '1.0' | '2.0';
  /** HTTP API `EnableSimpleResponses`. */
  enableSimpleResponses?: boolean;
  /** REST TOKEN authorizer `ValidationExpression` (regex the token must match). */
  validationExpression?: string;
  /** JWT authorizers: issuer and audiences (recorded; signature is not verified locally). */
  jwtConfiguration?: { issuer?: string; audience?: string[] };
}

export interface RouteModel {
  /** Upper-case HTTP method or `ANY`. */
  method: string;
  /** Resource path as written, e.g. `/users/{id}`, `/{proxy+}`; HTTP APIs may also use `$default`. */
  path: string;
  functionLogicalId: string;
  /** The function's `Events:` key that declared this route. */
  eventId: string;
  /** REST APIs always '1.0'; HTTP APIs default '2.0'. */
  payloadFormatVersion: '1.0' | '2.0';
  /** Authorizer name, `NONE` (explicitly none), or undefined (the API's default). */
  authorizer?: string;
  apiKeyRequired?: boolean;
  /** Integration timeout; REST max 29000, HTTP max 30000. */
  timeoutInMillis?: number;
}

export interface ApiModel {
  /** `ServerlessRestApi` / `ServerlessHttpApi` for the implicit APIs SAM generates. */
  logicalId: string;
  /** REST = API Gateway v1 (AWS::Serverless::Api), HTTP = API Gateway v2 (AWS::Serverless::HttpApi). */
  protocol: 'REST' | 'HTTP';
  implicit: boolean;
  name: string;
  /** REST default `Prod`; HTTP default `$default`. */
  stageName: string;
  stageVariables: Record<string, string>;
  cors?: CorsModel;
  defaultAuthorizer?: string;
  /** REST: `Auth.ApiKeyRequired` default for every route. */
  apiKeyRequired: boolean;
  authorizers: Record<string, AuthorizerModel>;
  binaryMediaTypes: string[];
  /** REST `Auth.UsagePlan`, resolved, as written (recorded; quotas are not enforced locally). */
  usagePlan?: Record<string, unknown>;
  routes: RouteModel[];
  location?: SourceLocation;
}

/** Any resource of the template, resolved, for later layers (S3 buckets, queues, topics, ...). */
export interface ResourceRecord {
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
  /** What `!Ref` returns (a name, URL, ARN... as CloudFormation does for this type). */
  ref: string;
  /** What `!GetAtt Id.Attr` returns for the attributes known for this type. */
  attributes: Record<string, string>;
  condition?: string;
  dependsOn: string[];
  /** The resource's `Metadata`, intrinsics resolved (absent when it has none). */
  metadata?: Record<string, unknown>;
  /** True for resources SAM generates (`<Function>Role`, `ServerlessRestApi`, `<Api><Stage>Stage`, permissions). */
  generated: boolean;
  location?: SourceLocation;
}

export interface Project {
  templatePath: string;
  /** Directory of the template; relative CodeUri/ContentUri resolve against it. */
  projectDir: string;
  stackName: string;
  region: string;
  accountId: string;
  /** Parameter values in effect (defaults, overridden by --parameter-overrides). */
  parameters: Record<string, string>;
  /** Keyed by logical id, in template order. */
  functions: Map<string, FunctionModel>;
  apis: ApiModel[];
  /** Every resource (including the ones SAM would generate), keyed by logical id. */
  resources: Map<string, ResourceRecord>;
  outputs: Record<string, unknown>;
  /** Non-fatal notices (unsupported properties, remote layers, ...). */
  warnings: string[];
}

export interface LoadProjectOptions {
  /** Template file, or a directory to look for template.yaml / template.yml / template.json in. */
  template?: string;
  cwd?: string;
  parameterOverrides?: Record<string, string>;
  region?: string;
  accountId?: string;
  stackName?: string;
  /** Base URL of a running Slipway edge; resources whose identity is a URL (SQS queues) point there. */
  localEndpoint?: string;
}
