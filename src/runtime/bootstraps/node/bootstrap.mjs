// Slipway's Node.js runtime: loads the handler, then loops next → handler → response/error over
// the fd channel (SLIPWAY_RUNTIME_FD) or the HTTP Runtime API (AWS_LAMBDA_RUNTIME_API).
import process from 'node:process';
import { toErrorPayload, unhandledRejectionPayload } from './errors.mjs';
import { patchConsole } from './log-patch.mjs';
import { createTransport } from './transport.mjs';
import { loadHandler } from './user-function.mjs';

const env = process.env;
const FUNCTION_NAME = env.AWS_LAMBDA_FUNCTION_NAME;
const FUNCTION_VERSION = env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST';
const MEMORY_SIZE = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
const LOG_GROUP = env.AWS_LAMBDA_LOG_GROUP_NAME;
const LOG_STREAM = env.AWS_LAMBDA_LOG_STREAM_NAME;
const EMPTY_EVENT = Buffer.from('{}');

let requestId;
patchConsole(env, () => requestId);
const transport = createTransport(env);
delete env.SLIPWAY_RUNTIME_FD;

/** The invocation in progress: { requestId, done: boolean }. */
let current;
/** A callback result waiting for the event loop to drain (callbackWaitsForEmptyEventLoop). */
let pendingPost;
let initializing = true;

function fatal(payload, label) {
  console.error(label, JSON.stringify(payload));
  const inv = current && !current.done ? current : undefined;
  if (inv) inv.done = true;
  const sent = inv
    ? transport.flushError(inv.requestId, payload)
    : initializing
      ? transport.initError(payload)
      : Promise.resolve();
  void sent.then(() => process.exit(129));
}

process.on('uncaughtException', (err) => fatal(toErrorPayload(err), 'Uncaught Exception'));
process.on('unhandledRejection', (reason) =>
  fatal(unhandledRejectionPayload(reason), 'Unhandled Promise Rejection'),
);
process.on('beforeExit', () => {
  const post = pendingPost;
  pendingPost = undefined;
  if (post) post();
  else if (current && !current.done && current.awaitsCallback) current.finish(null, undefined, false);
});

function parseJson(text) {
  return text ? JSON.parse(text) : undefined;
}

function makeContext(headers, finish) {
  const deadline = Number(headers['Lambda-Runtime-Deadline-Ms']);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION_NAME,
    functionVersion: FUNCTION_VERSION,
    invokedFunctionArn: headers['Lambda-Runtime-Invoked-Function-Arn'],
    memoryLimitInMB: MEMORY_SIZE,
    awsRequestId: headers['Lambda-Runtime-Aws-Request-Id'],
    logGroupName: LOG_GROUP,
    logStreamName: LOG_STREAM,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, result) => finish(err, result, true),
    succeed: (result) => finish(null, result, true),
    fail: (err) => finish(err ?? 'handled', undefined, true),
  };
  try {
    context.identity = parseJson(headers['Lambda-Runtime-Cognito-Identity']);
    context.clientContext = parseJson(headers['Lambda-Runtime-Client-Context']);
  } catch {
    // malformed optional headers: leave undefined
  }
  return context;
}

function runInvocation(handler, invocation) {
  const headers = invocation.headers;
  requestId = headers['Lambda-Runtime-Aws-Request-Id'];
  const trace = headers['Lambda-Runtime-Trace-Id'];
  if (trace) env._X_AMZN_TRACE_ID = trace;
  else delete env._X_AMZN_TRACE_ID;
  return new Promise((resolveDone) => {
    const inv = { requestId, done: false, awaitsCallback: false };
    current = inv;
    const startedAt = performance.now();
    const post = (err, result) => {
      const durationMs = performance.now() - startedAt;
      let sent;
      if (err !== null && err !== undefined) {
        const payload = toErrorPayload(err);
        console.error('Invoke Error', JSON.stringify(payload));
        sent = transport.error(inv.requestId, payload, durationMs);
      } else {
        let body;
        try {
          body = Buffer.from(JSON.stringify(result === undefined ? null : result) ?? 'null');
        } catch (e) {
          const payload = toErrorPayload(e);
          sent = transport.error(inv.requestId, payload, durationMs);
        }
        if (body) sent = transport.respond(inv.requestId, body, durationMs);
      }
      void sent.then(resolveDone);
    };
    const finish = (err, result, viaCallback) => {
      if (inv.done) return;
      inv.done = true;
      if (viaCallback && context.callbackWaitsForEmptyEventLoop) pendingPost = () => post(err, result);
      else post(err, result);
    };
    inv.finish = finish;
    const context = makeContext(headers, finish);
    let event;
    try {
      event = JSON.parse((invocation.body.length > 0 ? invocation.body : EMPTY_EVENT).toString('utf8'));
    } catch (e) {
      finish(e, undefined, false);
      return;
    }
    let returned;
    try {
      returned = handler(event, context, (err, result) => finish(err, result, true));
    } catch (e) {
      finish(e, undefined, false);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      returned.then(
        (result) => finish(null, result, false),
        (e) => finish(e ?? new Error('Promise rejected'), undefined, false),
      );
    } else {
      inv.awaitsCallback = true;
    }
  });
}

async function main() {
  let handler;
  try {
    handler = await loadHandler({
      taskRoot: env.LAMBDA_TASK_ROOT ?? process.cwd(),
      handler: env._HANDLER ?? '',
      handlerRoot: env.SLIPWAY_HANDLER_ROOT || undefined,
      handlerFile: env.SLIPWAY_HANDLER_FILE || undefined,
    });
  } catch (err) {
    const payload = toErrorPayload(err);
    console.error('Uncaught Exception', JSON.stringify(payload));
    await transport.initError(payload);
    process.exit(129);
  }
  initializing = false;
  for (;;) {
    const invocation = await transport.next();
    await runInvocation(handler, invocation);
  }
}

void main();
