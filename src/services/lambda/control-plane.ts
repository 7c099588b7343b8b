/**
 * The Lambda API operations that deploy: CreateFunction, UpdateFunctionCode,
 * UpdateFunctionConfiguration, DeleteFunction, PublishVersion and ListVersionsByFunction. Wire
 * (rest-json) in, Deployments (./deployments.ts) for the state, AWS's errors out.
 */
import type { ServerResponse } from 'node:http';
import { AwsError, type AwsRequest } from '../types.ts';
import {
  checkPackage,
  codeRefOf,
  MAX_CODE_REQUEST_BYTES,
  packageBytes,
  requestTooLarge,
  type FunctionCodeInput,
  type ReadS3Object,
} from './code-package.ts';
import { FunctionExistsError, UpdateInProgressError, type Deployments } from './deployments.ts';
import {
  checkArchitectures,
  checkFunctionName,
  configurationInput,
  validationError,
} from './function-input.ts';
import { parseFunctionName } from './functions.ts';
import type { ApiFunction, FunctionViews } from './function-views.ts';
import type { FunctionRecord } from './records.ts';
import { parseLambdaJson, sendLambdaJson } from './wire.ts';

/** Request bodies of the operations that carry no package are small JSON documents. */
const MAX_CONFIGURATION_BODY_BYTES = 1024 * 1024;
/** ListVersionsByFunction pages hold at most 50 versions. */
const MAX_LIST_VERSIONS = 50;

export interface ControlPlane {
  deployments: Deployments;
  views: FunctionViews;
  readS3: ReadS3Object;
}

/** Reads a request that may carry a base64 ZipFile: bounded, and drained when too large so the client reads the 413. */
async function readCodeRequest(req: AwsRequest, operation: string): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.stream) {
    size += (chunk as Buffer).length;
    if (size <= MAX_CODE_REQUEST_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_CODE_REQUEST_BYTES) throw requestTooLarge(operation);
  return parseLambdaJson(Buffer.concat(chunks, size));
}

async function readSmallRequest(req: AwsRequest): Promise<Record<string, unknown>> {
  return parseLambdaJson(await req.body(MAX_CONFIGURATION_BODY_BYTES));
}

function updateInProgress(fn: ApiFunction): AwsError {
  return new AwsError(
    'ResourceConflictException',
    `The operation cannot be performed at this time. An update is in progress for resource: ${fn.latest.arn}`,
    409,
  );
}

/** Runs a change, answering Lambda's 409s when another one of the same function got there first. */
async function exclusive<T>(fn: ApiFunction | string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (err instanceof UpdateInProgressError && typeof fn !== 'string') throw updateInProgress(fn);
    if (err instanceof FunctionExistsError)
      throw new AwsError('ResourceConflictException', `Function already exist: ${err.functionName}`, 409);
    throw err;
  }
}

const REVISION_MISMATCH =
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';

/** The record an update changes (a template function gets one the first time), after the checks every update makes. */
async function recordToChange(
  cp: ControlPlane,
  fn: ApiFunction,
  revisionId: unknown,
): Promise<FunctionRecord> {
  const code = await cp.views.latestCode(fn);
  const current = cp.views.revisionId(fn, code);
  if (typeof revisionId === 'string' && revisionId !== '' && revisionId !== current)
    throw new AwsError('PreconditionFailedException', REVISION_MISMATCH, 412);
  if (fn.record && cp.deployments.isBusy(fn.record)) throw updateInProgress(fn);
  if (fn.record) return fn.record;
  const template = fn.template as NonNullable<ApiFunction['template']>;
  if (template.packageType === 'Image')
    throw new AwsError(
      'InvalidParameterValueException',
      'Please provide ImageUri when updating a function with packageType Image.',
      400,
    );
  return cp.deployments.recordForTemplate(template, current);
}

function answerLatest(
  cp: ControlPlane,
  req: AwsRequest,
  res: ServerResponse,
  record: FunctionRecord,
  status: number,
) {
  const latest = cp.deployments.latestModel(record);
  if (!latest) throw new AwsError('ServiceException', `${record.name} is no longer in the template`, 500);
  return cp.views
    .configuration({ latest, record })
    .then((body) => sendLambdaJson(res, status, body, req.requestId));
}

/** POST /2015-03-31/functions */
export async function createFunction(cp: ControlPlane, req: AwsRequest, res: ServerResponse): Promise<void> {
  const input = await readCodeRequest(req, 'CreateFunction');
  const code = input.Code;
  if (typeof code !== 'object' || code === null)
    throw validationError(undefined, 'code', 'Member must not be null');
  const codeInput = code as FunctionCodeInput;
  // A direct upload's size is checked first, as Lambda does.
  const direct =
    typeof codeInput.ZipFile === 'string'
      ? await packageBytes({ ZipFile: codeInput.ZipFile }, cp.readS3)
      : undefined;
  const rawName =
    typeof input.FunctionName === 'string' ? parseFunctionName(input.FunctionName).name : input.FunctionName;
  const name = checkFunctionName(rawName);
  if (input.PackageType === 'Image')
    throw new AwsError(
      'InvalidParameterValueException',
      'PackageType Image (a container image) cannot run in Slipway, which has no container runtime: deploy the function as a .zip package (PackageType Zip).',
      400,
    );
  const config = configurationInput(input, 'create');
  const exists = (): boolean =>
    cp.deployments.created(name) !== undefined || cp.deployments.isTemplateName(name);
  if (exists()) throw new AwsError('ResourceConflictException', `Function already exist: ${name}`, 409);
  const bytes = direct ?? (await packageBytes(codeInput, cp.readS3));
  await checkPackage(bytes);
  if (exists()) throw new AwsError('ResourceConflictException', `Function already exist: ${name}`, 409);
  const { record, version } = await exclusive(name, () =>
    cp.deployments.create(name, config, codeRefOf(bytes), bytes, input.Publish === true),
  );
  const latest = cp.deployments.latestModel(record);
  const body = await cp.views.configuration({ latest: latest as NonNullable<typeof latest>, record });
  if (version) body.Version = version.version;
  sendLambdaJson(res, 201, body, req.requestId);
}

/** PUT /2015-03-31/functions/{name}/code */
export async function updateFunctionCode(
  cp: ControlPlane,
  req: AwsRequest,
  res: ServerResponse,
  name: string,
): Promise<void> {
  const input = await readCodeRequest(req, 'UpdateFunctionCode');
  const { fn } = cp.views.resolve(name);
  const record = await recordToChange(cp, fn, input.RevisionId);
  if (typeof input.ImageUri === 'string' && input.ImageUri !== '')
    throw new AwsError(
      'InvalidParameterValueException',
      "Please don't provide ImageUri when updating a function with packageType Zip.",
      400,
    );
  const architectures =
    input.Architectures === undefined ? undefined : checkArchitectures(input.Architectures);
  const bytes = await packageBytes(input, cp.readS3);
  await checkPackage(bytes);
  if (input.DryRun === true) return sendLambdaJson(res, 200, await cp.views.configuration(fn), req.requestId);
  const answer = await exclusive(fn, () =>
    cp.deployments.updateCode(record, codeRefOf(bytes), bytes, architectures, input.Publish === true),
  );
  if (answer.version)
    return sendLambdaJson(res, 200, cp.views.versionConfiguration(answer.version), req.requestId);
  return answerLatest(cp, req, res, answer.record, 200);
}

/** PUT /2015-03-31/functions/{name}/configuration */
export async function updateFunctionConfiguration(
  cp: ControlPlane,
  req: AwsRequest,
  res: ServerResponse,
  name: string,
): Promise<void> {
  const input = await readSmallRequest(req);
  const { fn } = cp.views.resolve(name);
  const config = configurationInput(input, 'update');
  const record = await recordToChange(cp, fn, input.RevisionId);
  const answer = await exclusive(fn, () => cp.deployments.updateConfiguration(record, config));
  return answerLatest(cp, req, res, answer, 200);
}

/** DELETE /2015-03-31/functions/{name}[?Qualifier=N] */
export async function deleteFunction(
  cp: ControlPlane,
  req: AwsRequest,
  res: ServerResponse,
  name: string,
): Promise<void> {
  const resolved = cp.views.resolve(name, req.query.get('Qualifier'));
  const { fn, qualifier } = resolved;
  if (qualifier === '$LATEST')
    throw new AwsError(
      'InvalidParameterValueException',
      '$LATEST version cannot be deleted without deleting the function.',
      400,
    );
  if (qualifier !== undefined) {
    const version = cp.views.version(resolved) as NonNullable<ReturnType<FunctionViews['version']>>;
    await cp.deployments.deleteVersion(fn.record as FunctionRecord, version);
  } else if (fn.record) {
    await cp.deployments.delete(fn.record);
  } else {
    throw new AwsError(
      'ResourceConflictException',
      `Function ${fn.latest.functionName} is declared by the template (${fn.latest.location.file}:${fn.latest.location.line}) and runs its code from there: Slipway cannot delete it. Remove it from the template to delete it; DeleteFunction only reverts code or configuration deployed to it through the Lambda API.`,
      409,
    );
  }
  res.writeHead(204, { 'x-amzn-requestid': req.requestId });
  res.end();
}

/** POST /2015-03-31/functions/{name}/versions */
export async function publishVersion(
  cp: ControlPlane,
  req: AwsRequest,
  res: ServerResponse,
  name: string,
): Promise<void> {
  const input = await readSmallRequest(req);
  const { fn } = cp.views.resolve(name);
  if (fn.record && cp.deployments.isBusy(fn.record)) throw updateInProgress(fn);
  const record = await recordToChange(cp, fn, input.RevisionId);
  const code = await cp.views.latestCode(fn);
  if (typeof input.CodeSha256 === 'string' && input.CodeSha256 !== '' && input.CodeSha256 !== code.sha256)
    throw new AwsError(
      'InvalidParameterValueException',
      `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${code.sha256}). Please try again with the CodeSHA256 in $LATEST.`,
      400,
    );
  const description = typeof input.Description === 'string' ? input.Description : undefined;
  const version = await cp.deployments.publish(record, description, code);
  sendLambdaJson(res, 201, cp.views.versionConfiguration(version), req.requestId);
}

/** GET /2015-03-31/functions/{name}/versions */
export async function listVersionsByFunction(
  cp: ControlPlane,
  req: AwsRequest,
  res: ServerResponse,
  name: string,
): Promise<void> {
  const { fn } = cp.views.resolve(name);
  const all = [
    await cp.views.configuration(fn, { qualifiedLatest: true, listing: true }),
    ...(fn.record?.versions ?? []).map((v) => cp.views.versionConfiguration(v, true)),
  ];
  const start = Math.max(0, Number.parseInt(req.query.get('Marker') ?? '0', 10) || 0);
  const max = Number(req.query.get('MaxItems') ?? MAX_LIST_VERSIONS);
  const limit = Number.isInteger(max) && max > 0 ? Math.min(max, MAX_LIST_VERSIONS) : MAX_LIST_VERSIONS;
  const page = all.slice(start, start + limit);
  const body: Record<string, unknown> = { Versions: page };
  if (start + page.length < all.length) body.NextMarker = String(start + page.length);
  sendLambdaJson(res, 200, body, req.requestId);
}
