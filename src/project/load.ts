/**
 * `loadProject`: find the template, parse it, apply parameters, conditions, Globals and the SAM
 * transform, resolve every intrinsic, and return the typed `Project` of ./model.ts.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { SlipwayError } from '../shared/errors.ts';
import { buildApis } from './apis.ts';
import { Conditions } from './conditions.ts';
import { describe, invalid, isRecord, templateError, type Scope } from './diagnostics.ts';
import { findTemplate } from './discover.ts';
import { buildFunction, eventInvokeConfigOf } from './functions.ts';
import { Globals } from './globals.ts';
import { NO_VALUE } from './intrinsics.ts';
import type { FunctionModel, LayerModel, LoadProjectOptions, Project, ResourceRecord } from './model.ts';
import { generatedUuid, sanitizeStackName } from './names.ts';
import { partitionOf, pseudoParameters, resolveParameters, urlSuffixOf } from './parameters.ts';
import { isEmulatedType } from './resources.ts';
import { generateSamResources } from './sam.ts';
import { Stack, type StackEntry } from './stack.ts';
import { readSections, type RawResource } from './template.ts';
import { parseTemplate } from './yaml.ts';

export { parseParameterOverrides } from './parameters.ts';

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_ACCOUNT_ID = '123456789012';
const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';

export async function loadProject(options: LoadProjectOptions = {}): Promise<Project> {
  const cwd = options.cwd ?? process.cwd();
  const templatePath = findTemplate(options.template, cwd);
  let text: string;
  try {
    text = await readFile(templatePath, 'utf8');
  } catch (err) {
    throw new SlipwayError('TemplateNotFound', `cannot read ${templatePath}: ${(err as Error).message}`, {
      where: { file: templatePath },
      hint: 'check the path and its permissions',
      cause: err,
    });
  }
  const parsed = parseTemplate(text, templatePath);
  const { root, resources, transforms } = readSections(parsed);
  const { map } = parsed;
  const file = templatePath;
  const projectDir = dirname(templatePath);
  const warnings: string[] = [];
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  const stackName = options.stackName ?? sanitizeStackName(basename(projectDir));
  const partition = partitionOf(region);
  const stackId = `arn:${partition}:cloudformation:${region}:${accountId}:stack/${stackName}/${generatedUuid(stackName)}`;
  const params = resolveParameters(root['Parameters'], options.parameterOverrides ?? {}, map, file, warnings);
  const mappings = isRecord(root['Mappings']) ? root['Mappings'] : {};
  const stack = new Stack({
    file,
    map,
    stackName,
    region,
    accountId,
    partition,
    urlSuffix: urlSuffixOf(region),
    localEndpoint: options.localEndpoint,
    pseudo: pseudoParameters({ region, accountId, stackName, stackId }),
    parameters: params.values,
    mappings,
    warnings,
  });
  stack.conditions = new Conditions(root['Conditions'], map, file, () => stack.resolver);
  stack.conditions.all();

  if (resources.some((r) => r.type.startsWith('AWS::Serverless::')) && !transforms.includes(SAM_TRANSFORM)) {
    warnings.push(
      `the template uses AWS::Serverless::* resources but has no "Transform: ${SAM_TRANSFORM}"; AWS will reject it`,
    );
  }
  const globals = new Globals(root['Globals'], map, file);
  const kept: RawResource[] = [];
  for (const r of resources) {
    const scope: Scope = { file, resource: r.logicalId, loc: r.location };
    if (r.condition !== undefined && !stack.conditions.evaluate(r.condition, scope)) {
      stack.excluded.set(r.logicalId, r.condition);
      continue;
    }
    kept.push({ ...r, properties: globals.apply(r.type, r.properties) });
  }
  for (const r of kept) stack.add({ ...r, generated: false });
  for (const g of generateSamResources(kept, map, file)) stack.add(g);

  const properties = new Map<string, Record<string, unknown>>();
  for (const entry of stack.entries.values()) {
    checkDependsOn(entry, stack);
    const scope: Scope = { file, resource: entry.logicalId, loc: entry.location };
    properties.set(entry.logicalId, stack.resolver.resolveObject(entry.properties, scope));
  }
  notices(stack, warnings);

  const layersByArn = localLayers(stack, properties, projectDir);
  const functions = new Map<string, FunctionModel>();
  for (const entry of stack.entries.values()) {
    if (entry.type !== 'AWS::Serverless::Function' && entry.type !== 'AWS::Lambda::Function') continue;
    const fnProps = properties.get(entry.logicalId) ?? {};
    functions.set(
      entry.logicalId,
      buildFunction(entry, fnProps, { stack, projectDir, layersByArn, warnings }),
    );
  }
  applyEventInvokeConfigs(stack, properties, functions);
  const apis = buildApis({ stack, globals, functions, properties, warnings });

  const records = new Map<string, ResourceRecord>();
  for (const entry of stack.entries.values()) records.set(entry.logicalId, record(entry, stack, properties));

  return {
    templatePath,
    projectDir,
    stackName,
    region,
    accountId,
    parameters: params.display,
    functions,
    apis,
    resources: records,
    outputs: outputs(root['Outputs'], stack),
    warnings,
  };
}

function checkDependsOn(entry: StackEntry, stack: Stack): void {
  for (const dep of entry.dependsOn) {
    if (!stack.entries.has(dep) && !stack.excluded.has(dep)) {
      throw invalid(`DependsOn names ${dep}, which is not a resource of this template`, {
        file: stack.file,
        resource: entry.logicalId,
        loc: entry.location,
      });
    }
  }
}

function record(
  entry: StackEntry,
  stack: Stack,
  properties: Map<string, Record<string, unknown>>,
): ResourceRecord {
  const identity = stack.identity(entry.logicalId);
  const r: ResourceRecord = {
    logicalId: entry.logicalId,
    type: entry.type,
    properties: properties.get(entry.logicalId) ?? {},
    ref: identity.ref,
    attributes: identity.attributes,
    dependsOn: entry.dependsOn,
    generated: entry.generated,
  };
  if (entry.condition !== undefined) r.condition = entry.condition;
  if (Object.keys(entry.metadata).length > 0) {
    const scope: Scope = { file: stack.file, resource: entry.logicalId, loc: entry.location };
    r.metadata = stack.resolver.resolveObject(entry.metadata, scope);
  }
  if (entry.location) r.location = entry.location;
  return r;
}

/** One line per resource type Slipway accepts but does not emulate. */
function notices(stack: Stack, warnings: string[]): void {
  const byType = new Map<string, string[]>();
  for (const e of stack.entries.values()) {
    if (e.generated || isEmulatedType(e.type)) continue;
    byType.set(e.type, [...(byType.get(e.type) ?? []), e.logicalId]);
  }
  for (const [type, ids] of byType) {
    const apiGateway = type.startsWith('AWS::ApiGateway::') || type.startsWith('AWS::ApiGatewayV2::');
    warnings.push(
      `${type} (${ids.join(', ')}): not emulated by Slipway ` +
        (apiGateway
          ? '(plain API Gateway resources are not served yet; use AWS::Serverless::Api / HttpApi)'
          : '(accepted; its Ref and attributes are placeholders)'),
    );
  }
}

function localLayers(
  stack: Stack,
  properties: Map<string, Record<string, unknown>>,
  projectDir: string,
): Map<string, LayerModel> {
  const out = new Map<string, LayerModel>();
  for (const e of stack.entries.values()) {
    const sam = e.type === 'AWS::Serverless::LayerVersion';
    if (!sam && e.type !== 'AWS::Lambda::LayerVersion') continue;
    const p = properties.get(e.logicalId) ?? {};
    const content = sam ? p['ContentUri'] : p['Content'];
    const scope = stack.propertyScope(e, sam ? 'ContentUri' : 'Content');
    const arn = stack.identity(e.logicalId).ref;
    const layer: LayerModel = { logicalId: e.logicalId, arn };
    let path: string | undefined;
    if (typeof content === 'string') path = content;
    else if (isRecord(content) && typeof content['S3Key'] === 'string' && content['S3Bucket'] === undefined)
      path = content['S3Key'];
    if (path === undefined || /^s3:\/\//i.test(path) || (isRecord(content) && !path)) {
      throw templateError(
        'CodeUriNotLocal',
        `layer ${e.logicalId}: the content is not a local path (${describe(content)})`,
        scope,
        'point ContentUri at the local layer directory, e.g. ContentUri: layers/common/',
      );
    }
    layer.contentDir = isAbsolute(path) ? path : resolvePath(projectDir, path);
    out.set(arn, layer);
  }
  return out;
}

function applyEventInvokeConfigs(
  stack: Stack,
  properties: Map<string, Record<string, unknown>>,
  functions: Map<string, FunctionModel>,
): void {
  for (const e of stack.entries.values()) {
    if (e.type !== 'AWS::Lambda::EventInvokeConfig' || e.generated) continue;
    const p = properties.get(e.logicalId) ?? {};
    const target = String(p['FunctionName']);
    const fn = [...functions.values()].find((f) => f.functionName === target || f.arn === target);
    if (fn) fn.eventInvokeConfig = eventInvokeConfigOf(p);
    else
      stack.warn(`${e.logicalId}: EventInvokeConfig for ${target}, which is not a function of this template`);
  }
}

function outputs(section: unknown, stack: Stack): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isRecord(section)) return out;
  for (const [name, decl] of Object.entries(section)) {
    const scope: Scope = {
      file: stack.file,
      resource: `Outputs.${name}`,
      loc: stack.map.child(section, name),
    };
    if (!isRecord(decl) || !('Value' in decl)) throw invalid(`output ${name} needs a Value`, scope);
    if (typeof decl['Condition'] === 'string' && !stack.conditions.evaluate(decl['Condition'], scope))
      continue;
    const value = stack.resolver.resolve(decl['Value'], { ...scope, loc: stack.map.child(decl, 'Value') });
    if (value !== NO_VALUE) out[name] = value;
  }
  return out;
}
