/**
 * The Lambda API (rest-json at `/2015-03-31/...`, signing name `lambda`): Invoke, ListFunctions,
 * GetFunction, GetFunctionConfiguration, ListTags and event source mappings. So a function can
 * invoke another (or itself, asynchronously) through the unmodified SDK.
 */
import type { ServerResponse } from 'node:http';
import type { FunctionModel } from '../../project/model.ts';
import { AwsError, type AwsRequest, type ServiceContext } from '../types.ts';
import { EventSourceMappings, MAX_LIST_ITEMS, mappingResponse } from './event-source-mappings.ts';
import {
  CodeInfoCache,
  codeLocation,
  findFunction,
  functionConfiguration,
  functionNotFound,
  functionTags,
} from './functions.ts';
import { invoke, type InvokeContext } from './invoke.ts';
import type { CreateEventSourceMappingInput, LambdaDeps, LambdaService } from './types.ts';
import { decodeSegment, parseLambdaJson, sendLambdaError, sendLambdaJson } from './wire.ts';

export type * from './types.ts';
export { MAX_LOG_TAIL_BYTES } from './invoke.ts';

/** ListFunctions returns at most 50 functions per page, whatever MaxItems asks. */
export const MAX_LIST_FUNCTIONS = 50;
const API_VERSION = '2015-03-31';
/** Request bodies of the non-invoke operations are small JSON documents. */
const MAX_API_BODY_BYTES = 1024 * 1024;

function maxItems(req: AwsRequest, cap: number): number {
  const raw = req.query.get('MaxItems');
  if (raw === null) return cap;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new AwsError(
      'InvalidParameterValueException',
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`,
      400,
    );
  return Math.min(n, cap);
}

function unknownOperation(req: AwsRequest): AwsError {
  return new AwsError(
    'UnknownOperationException',
    `Slipway's Lambda API does not serve ${req.method} ${req.rawPath}.`,
    400,
  );
}

export function createLambdaService(ctx: ServiceContext, deps: LambdaDeps): LambdaService {
  const mappings = new EventSourceMappings(
    ctx.store.namespace('lambda'),
    ctx.clock,
    ctx.region,
    ctx.accountId,
    () => deps.functions(),
  );
  const codeInfo = new CodeInfoCache();
  const firstSeen = new WeakMap<FunctionModel, number>();
  const invokeContext: InvokeContext = { deps, region: ctx.region, accountId: ctx.accountId };

  const resolve = (input: string): FunctionModel => {
    const found = findFunction(deps.functions(), input);
    if (!found) throw functionNotFound(input, ctx.region, ctx.accountId);
    return found.fn;
  };

  const configuration = async (fn: FunctionModel): Promise<Record<string, unknown>> => {
    let modified = firstSeen.get(fn);
    if (modified === undefined) firstSeen.set(fn, (modified = ctx.clock.now()));
    return functionConfiguration(fn, await codeInfo.get(fn), modified);
  };

  const listFunctions = async (req: AwsRequest, res: ServerResponse): Promise<void> => {
    const all = [...deps.functions()].sort((a, b) => (a.functionName < b.functionName ? -1 : 1));
    const marker = req.query.get('Marker');
    const after = marker ? Buffer.from(marker, 'base64url').toString('utf8') : undefined;
    const start = after === undefined ? 0 : all.findIndex((f) => f.functionName > after);
    const limit = maxItems(req, MAX_LIST_FUNCTIONS);
    const page = start === -1 ? [] : all.slice(start, start + limit);
    const body: Record<string, unknown> = { Functions: await Promise.all(page.map(configuration)) };
    const last = page[page.length - 1];
    if (last && start + page.length < all.length)
      body.NextMarker = Buffer.from(last.functionName).toString('base64url');
    sendLambdaJson(res, 200, body, req.requestId);
  };

  const getFunction = async (req: AwsRequest, res: ServerResponse, name: string): Promise<void> => {
    const fn = resolve(name);
    const body: Record<string, unknown> = {
      Configuration: await configuration(fn),
      Code: { RepositoryType: 'S3', Location: codeLocation(fn) },
      Tags: functionTags(fn),
    };
    if (fn.reservedConcurrentExecutions !== undefined)
      body.Concurrency = { ReservedConcurrentExecutions: fn.reservedConcurrentExecutions };
    sendLambdaJson(res, 200, body, req.requestId);
  };

  const listMappings = (req: AwsRequest, res: ServerResponse): void => {
    const source = req.query.get('EventSourceArn');
    const fnName = req.query.get('FunctionName');
    const fnArn = fnName ? findFunction(deps.functions(), fnName)?.fn.arn : undefined;
    const matching = mappings
      .list()
      .filter((m) => (!source || m.EventSourceArn === source) && (!fnName || m.FunctionArn === fnArn));
    const start = Math.max(0, Number.parseInt(req.query.get('Marker') ?? '0', 10) || 0);
    const limit = maxItems(req, MAX_LIST_ITEMS);
    const page = matching.slice(start, start + limit);
    const body: Record<string, unknown> = { EventSourceMappings: page.map((m) => mappingResponse(m)) };
    if (start + page.length < matching.length) body.NextMarker = String(start + page.length);
    sendLambdaJson(res, 200, body, req.requestId);
  };

  const mappingOperation = async (req: AwsRequest, res: ServerResponse, uuid: string): Promise<void> => {
    if (uuid === '') {
      if (req.method === 'GET') return listMappings(req, res);
      if (req.method !== 'POST') throw unknownOperation(req);
      const input = parseLambdaJson(await req.body(MAX_API_BODY_BYTES));
      const created = await mappings.create(input as unknown as CreateEventSourceMappingInput);
      return sendLambdaJson(res, 202, mappingResponse(created, 'Creating'), req.requestId);
    }
    if (req.method === 'GET')
      return sendLambdaJson(res, 200, mappingResponse(mappings.get(uuid)), req.requestId);
    if (req.method === 'PUT') {
      const input = parseLambdaJson(await req.body(MAX_API_BODY_BYTES));
      const updated = await mappings.update(uuid, input);
      return sendLambdaJson(res, 202, mappingResponse(updated, 'Updating'), req.requestId);
    }
    if (req.method === 'DELETE') {
      const deleted = await mappings.delete(uuid);
      return sendLambdaJson(res, 202, mappingResponse(deleted, 'Deleting'), req.requestId);
    }
    throw unknownOperation(req);
  };

  /** `/2014-11-13/functions/{name}/invoke-async/`: the deprecated InvokeAsync (202, `{"Status":202}`). */
  const invokeAsyncLegacy = async (req: AwsRequest, res: ServerResponse, name: string): Promise<void> => {
    const fn = resolve(name);
    const payload = await req.body(MAX_API_BODY_BYTES);
    await deps.invokeAsync(fn.logicalId, payload.length > 0 ? payload : Buffer.from('{}'), req.caller);
    sendLambdaJson(res, 202, { Status: 202 }, req.requestId);
  };

  const route = async (req: AwsRequest, res: ServerResponse): Promise<void> => {
    // ['', version, resource, id?, sub?, ...]
    const segments = req.rawPath.split('/');
    const version = segments[1];
    const resource = segments[2];
    const id = decodeSegment(segments[3] ?? '');
    const sub = segments[4] ?? '';
    const method = req.method;
    if (version === API_VERSION && resource === 'functions') {
      if (id === '' && segments.length <= 4 && method === 'GET') return listFunctions(req, res);
      if (id !== '' && method === 'POST' && sub === 'invocations' && segments.length === 5)
        return invoke(invokeContext, req, res, id);
      if (id !== '' && method === 'GET' && sub === '' && segments.length <= 5)
        return getFunction(req, res, id);
      if (id !== '' && method === 'GET' && sub === 'configuration')
        return sendLambdaJson(res, 200, await configuration(resolve(id)), req.requestId);
    }
    if (version === API_VERSION && resource === 'event-source-mappings' && segments.length <= 5)
      return mappingOperation(req, res, id);
    if (version === '2014-11-13' && resource === 'functions' && sub === 'invoke-async' && method === 'POST')
      return invokeAsyncLegacy(req, res, id);
    if (version === '2017-03-31' && resource === 'tags' && method === 'GET' && id !== '')
      return sendLambdaJson(res, 200, { Tags: functionTags(resolve(id)) }, req.requestId);
    throw unknownOperation(req);
  };

  return {
    signingName: 'lambda',
    async handle(req, res) {
      try {
        await route(req, res);
      } catch (err) {
        sendLambdaError(res, err, req.requestId);
      }
    },
    eventSourceMappings: () => mappings.list(),
    onEventSourceMappingsChanged: (listener) => mappings.onChange(listener),
    createEventSourceMapping: (input) => mappings.create(input),
    async deleteEventSourceMapping(uuid) {
      await mappings.delete(uuid);
    },
  };
}
