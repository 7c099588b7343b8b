/**
 * The Lambda API (rest-json at `/2015-03-31/...`, signing name `lambda`): Invoke, the functions'
 * control plane (Create/Get/List/Delete functions, UpdateFunctionCode/Configuration,
 * PublishVersion, ListVersionsByFunction), ListTags and event source mappings. So a function can
 * invoke another through the unmodified SDK, and a deploy tool can ship zips into `slipway dev`.
 */
import type { ServerResponse } from 'node:http';
import { AwsError, type AwsRequest, type ServiceContext } from '../types.ts';
import { serveCodeLocation } from './code-location.ts';
import {
  createFunction,
  deleteFunction,
  listVersionsByFunction,
  publishVersion,
  updateFunctionCode,
  updateFunctionConfiguration,
  type ControlPlane,
} from './control-plane.ts';
import { Deployments } from './deployments.ts';
import { EventSourceMappings, MAX_LIST_ITEMS, mappingResponse } from './event-source-mappings.ts';
import { findFunction, functionTags } from './functions.ts';
import { FunctionViews } from './function-views.ts';
import { invoke, type InvokeContext } from './invoke.ts';
import { RECORDS_NAMESPACE } from './records.ts';
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

/** Blobs: deployment packages by sha256; their unpacked directories live under BLOB_CODE. */
const BLOB_PACKAGES = 'lambda';

export function createLambdaService(ctx: ServiceContext, deps: LambdaDeps): LambdaService {
  const deployments = new Deployments({
    ns: ctx.store.namespace(RECORDS_NAMESPACE),
    blobDir: ctx.store.blobDir(BLOB_PACKAGES),
    durable: ctx.store.kind === 'lmdb',
    clock: ctx.clock,
    region: ctx.region,
    accountId: ctx.accountId,
    unpack: (zipPath, owner) => deps.unpackCode(zipPath, owner),
    log: (line) => ctx.log(line),
  });
  const views = new FunctionViews(deployments, {
    region: ctx.region,
    accountId: ctx.accountId,
    clock: ctx.clock,
    endpointUrl: () => ctx.endpointUrl(),
  });
  const cp: ControlPlane = {
    deployments,
    views,
    readS3: (bucket, key, version) => deps.readS3Object(bucket, key, version),
  };
  /** What the runtime runs, without published versions (name lookups by mappings and triggers). */
  const latestFunctions = () => deps.functions().filter((f) => f.version === undefined);
  const mappings = new EventSourceMappings(
    ctx.store.namespace('lambda'),
    ctx.clock,
    ctx.region,
    ctx.accountId,
    latestFunctions,
  );
  const invokeContext: InvokeContext = {
    deps,
    region: ctx.region,
    accountId: ctx.accountId,
    target: async (input, qualifier) => {
      const resolved = views.resolve(input, qualifier);
      const record = resolved.fn.record;
      if (record?.status.State === 'Pending') await deployments.settled(record);
      const version = views.version(resolved, false);
      if (version?.status.State === 'Pending' && record) await deployments.settled(record);
      const state = version ? version.status.State : record?.status.State;
      if (state === 'Failed')
        throw new AwsError(
          'ResourceConflictException',
          'The operation cannot be performed at this time. The function is currently in the following state: Failed',
          409,
        );
      return version ? version.model.logicalId : resolved.fn.latest.logicalId;
    },
  };

  const listFunctions = async (req: AwsRequest, res: ServerResponse): Promise<void> => {
    const all = views.all().sort((a, b) => (a.latest.functionName < b.latest.functionName ? -1 : 1));
    const marker = req.query.get('Marker');
    const after = marker ? Buffer.from(marker, 'base64url').toString('utf8') : undefined;
    const start = after === undefined ? 0 : all.findIndex((f) => f.latest.functionName > after);
    const limit = maxItems(req, MAX_LIST_FUNCTIONS);
    const page = start === -1 ? [] : all.slice(start, start + limit);
    const body: Record<string, unknown> = {
      Functions: await Promise.all(page.map((f) => views.configuration(f))),
    };
    const last = page[page.length - 1];
    if (last && start + page.length < all.length)
      body.NextMarker = Buffer.from(last.latest.functionName).toString('base64url');
    sendLambdaJson(res, 200, body, req.requestId);
  };

  const getFunction = async (req: AwsRequest, res: ServerResponse, name: string): Promise<void> => {
    const resolved = views.resolve(name, req.query.get('Qualifier'));
    sendLambdaJson(res, 200, await views.getFunction(resolved), req.requestId);
  };

  const getConfiguration = async (req: AwsRequest, res: ServerResponse, name: string): Promise<void> => {
    const resolved = views.resolve(name, req.query.get('Qualifier'));
    const version = views.version(resolved);
    const body = version
      ? views.versionConfiguration(version)
      : await views.configuration(resolved.fn, { qualifiedLatest: resolved.qualifier === '$LATEST' });
    sendLambdaJson(res, 200, body, req.requestId);
  };

  const listMappings = (req: AwsRequest, res: ServerResponse): void => {
    const source = req.query.get('EventSourceArn');
    const fnName = req.query.get('FunctionName');
    const fnArn = fnName ? findFunction(latestFunctions(), fnName)?.fn.arn : undefined;
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
    const target = await invokeContext.target(name, null);
    const payload = await req.body(MAX_API_BODY_BYTES);
    await deps.invokeAsync(target, payload.length > 0 ? payload : Buffer.from('{}'), req.caller);
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
      const one = segments.length === 4 || (segments.length === 5 && sub === '');
      if (id === '' && segments.length <= 4 && method === 'GET') return listFunctions(req, res);
      if (id === '' && segments.length <= 4 && method === 'POST') return createFunction(cp, req, res);
      if (id !== '' && method === 'POST' && sub === 'invocations' && segments.length === 5)
        return invoke(invokeContext, req, res, id);
      if (id !== '' && one && method === 'GET') return getFunction(req, res, id);
      if (id !== '' && one && method === 'DELETE') return deleteFunction(cp, req, res, id);
      if (id !== '' && method === 'GET' && sub === 'configuration') return getConfiguration(req, res, id);
      if (id !== '' && method === 'PUT' && sub === 'configuration')
        return updateFunctionConfiguration(cp, req, res, id);
      if (id !== '' && method === 'PUT' && sub === 'code') return updateFunctionCode(cp, req, res, id);
      if (id !== '' && method === 'POST' && sub === 'versions') return publishVersion(cp, req, res, id);
      if (id !== '' && method === 'GET' && sub === 'versions')
        return listVersionsByFunction(cp, req, res, id);
    }
    if (version === API_VERSION && resource === 'event-source-mappings' && segments.length <= 5)
      return mappingOperation(req, res, id);
    if (version === '2014-11-13' && resource === 'functions' && sub === 'invoke-async' && method === 'POST')
      return invokeAsyncLegacy(req, res, id);
    if (version === '2017-03-31' && resource === 'tags' && method === 'GET' && id !== '')
      return sendLambdaJson(res, 200, { Tags: functionTags(views.resolve(id).fn.latest) }, req.requestId);
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
    functionsFor: (template) => deployments.functionsFor(template),
    overriddenFunctions: () => deployments.overridden(),
    onFunctionsChanged: (listener) => deployments.onChange(listener),
    ready: () => deployments.ready(),
    serveCode: (req, res) => serveCodeLocation(ctx.store.blobDir(BLOB_PACKAGES), req, res),
  };
}
