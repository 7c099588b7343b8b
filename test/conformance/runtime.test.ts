/**
 * The runtime conformance suite: ONE list of cases, run against every runtime × transport.
 * Each skip names the case and the reason.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FunctionModel } from '../../src/project/model.ts';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime/index.ts';
import { PYTHON_BOOTSTRAP } from '../../src/runtime/runtimes.ts';
import type { InvokeRequest, InvokeResult, LogRecord } from '../../src/runtime/types.ts';
import { AwsServiceError } from '../../src/shared/errors.ts';
import { ACCOUNT_ID, functionModel, REGION } from './function-model.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'slipway-conformance-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Variant {
  name: string;
  runtime: string;
  transport: 'auto' | 'http';
  fixture: string;
  handler: string;
  /** Skips the whole variant. */
  skip?: string;
  /** Cases that do not apply, with the reason. */
  notApplicable?: Record<string, string>;
  callbackHandler?: string;
  nestedHandler?: string;
  importError?: { fixture: string; handler: string; errorType: string };
  syntaxError?: { fixture: string; handler: string };
}

const pythonSkip = existsSync(PYTHON_BOOTSTRAP)
  ? undefined
  : `src/runtime/bootstraps/python/bootstrap.py does not exist yet (written concurrently by the Python bootstrap owner)`;
const NODE_ONLY = 'callback handlers and nested export paths are Node.js runtime features';

const node = (name: string, transport: 'auto' | 'http'): Variant => ({
  name,
  runtime: 'nodejs20.x',
  transport,
  fixture: 'node',
  handler: 'app.handler',
  callbackHandler: 'app.callback',
  nestedHandler: 'app.nested.deeper.handler',
  importError: {
    fixture: 'node-import-error',
    handler: 'app.handler',
    errorType: 'Runtime.ImportModuleError',
  },
  syntaxError: { fixture: 'node-syntax-error', handler: 'app.handler' },
});

const python = (name: string, transport: 'auto' | 'http'): Variant => ({
  name,
  runtime: 'python3.12',
  transport,
  fixture: 'python',
  handler: 'app.handler',
  skip: pythonSkip,
  notApplicable: { 'callback handler': NODE_ONLY, 'nested export path': NODE_ONLY },
  importError: {
    fixture: 'python-import-error',
    handler: 'app.handler',
    errorType: 'Runtime.ImportModuleError',
  },
  syntaxError: { fixture: 'python-syntax-error', handler: 'app.handler' },
});

const VARIANTS: Variant[] = [
  node('node (fd channel)', 'auto'),
  node('node (http)', 'http'),
  {
    ...node('typescript (fd channel)', 'auto'),
    fixture: 'ts',
    importError: undefined,
    syntaxError: { fixture: 'ts-syntax-error', handler: 'app.handler' },
    notApplicable: { 'import error': 'covered by node; esbuild resolves imports before the child starts' },
  },
  {
    name: 'provided.al2023 (bash + curl, http)',
    runtime: 'provided.al2023',
    transport: 'auto',
    fixture: 'provided',
    handler: 'bootstrap',
    notApplicable: {
      'callback handler': NODE_ONLY,
      'nested export path': NODE_ONLY,
      'handler not found': 'a custom runtime resolves its own handler',
      'syntax error': 'a custom runtime reports its own init errors (see "import error": /init/error)',
    },
    importError: { fixture: 'provided', handler: 'init-error', errorType: 'Runtime.InitError' },
  },
  python('python (fd channel)', 'auto'),
  python('python (http)', 'http'),
];

// ---- harness --------------------------------------------------------------------------------

class Harness {
  readonly records: LogRecord[] = [];
  readonly warnings: string[] = [];
  readonly runtime: Runtime;
  readonly fn: FunctionModel;

  constructor(
    readonly variant: Variant,
    fields: Partial<FunctionModel> = {},
    options: Partial<RuntimeOptions> = {},
  ) {
    this.fn = functionModel({
      logicalId: 'ConformanceFunction',
      runtime: variant.runtime,
      handler: variant.handler,
      codeDir: join(FIXTURES, variant.fixture),
      environment: { CUSTOM_VAR: 'from-template', OVERRIDE_VAR: 'from-template' },
      ...fields,
    });
    this.runtime = createRuntime({
      region: REGION,
      accountId: ACCOUNT_ID,
      logSink: (r) => this.records.push(r),
      transport: variant.transport,
      envOverrides: () => ({ OVERRIDE_VAR: 'from-env-json' }),
      extraEnv: { EXTRA_VAR: 'extra' },
      stateDir: join(scratch, 'state'),
      warn: (m) => this.warnings.push(m),
      ...options,
    });
    this.runtime.setFunctions([this.fn]);
  }

  invoke(event: unknown, request: Partial<InvokeRequest> = {}): Promise<InvokeResult> {
    return this.runtime.invoke(this.fn.logicalId, {
      payload: Buffer.from(JSON.stringify(event)),
      ...request,
    });
  }

  async json(event: unknown, request: Partial<InvokeRequest> = {}): Promise<unknown> {
    const result = await this.invoke(event, request);
    assert.equal(result.functionError, undefined, `unexpected function error: ${result.payload.toString()}`);
    return JSON.parse(result.payload.toString()) as unknown;
  }

  dispose(): Promise<void> {
    return this.runtime.dispose();
  }
}

async function withHarness(
  variant: Variant,
  fields: Partial<FunctionModel>,
  run: (h: Harness) => Promise<void>,
  options: Partial<RuntimeOptions> = {},
): Promise<void> {
  const h = new Harness(variant, fields, options);
  try {
    await run(h);
  } finally {
    await h.dispose();
  }
}

async function rejectsWith(p: Promise<unknown>, code: string, status: number): Promise<AwsServiceError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AwsServiceError, `expected AwsServiceError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.statusCode, status);
    return err;
  }
  assert.fail(`expected ${code}`);
}

/** Broken code lives here, not under fixtures/ (linters and type checkers parse fixtures). */
function writeFixture(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const SYNTAX_ERROR_FIXTURES: Record<string, () => string> = {
  'node-syntax-error': () =>
    writeFixture('node-syntax-error', {
      'app.js': 'exports.handler = async (event) => {\n  return event +;\n};\n',
    }),
  'ts-syntax-error': () =>
    writeFixture('ts-syntax-error', {
      'app.ts':
        'export const handler = async (event: unknown): Promise<unknown> => {\n  return event +;\n};\n',
    }),
  'python-syntax-error': () => join(FIXTURES, 'python-syntax-error'),
};

function copyFixture(name: string): string {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

// ---- the cases ------------------------------------------------------------------------------

interface Case {
  name: string;
  run(v: Variant): Promise<void>;
}

const CASES: Case[] = [
  {
    name: 'warm reuse keeps module state',
    run: (v) =>
      withHarness(v, {}, async (h) => {
        assert.deepEqual(await h.json({ op: 'counter' }), { count: 1 });
        assert.deepEqual(await h.json({ op: 'counter' }), { count: 2 });
        const stats = h.runtime.stats()[0];
        assert.equal(stats?.coldStarts, 1);
        assert.equal(stats?.invocations, 2);
      }),
  },
  {
    name: 'context fields',
    run: (v) =>
      withHarness(v, {}, async (h) => {
        const traceId = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
        const result = await h.invoke({ op: 'context' }, { traceId });
        const ctx = JSON.parse(result.payload.toString()) as Record<string, unknown>;
        assert.equal(ctx.functionName, h.fn.functionName);
        assert.equal(ctx.functionVersion, '$LATEST');
        assert.equal(ctx.invokedFunctionArn, h.fn.arn);
        assert.equal(ctx.memoryLimitInMB, '128');
        assert.equal(ctx.awsRequestId, result.requestId);
        assert.equal(ctx.logGroupName, `/aws/lambda/${h.fn.functionName}`);
        assert.match(String(ctx.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
        assert.ok(
          Number(ctx.remainingMs) > 0 && Number(ctx.remainingMs) <= 3000,
          `remaining ${String(ctx.remainingMs)}`,
        );
        assert.equal(ctx.traceId, traceId);
      }),
  },
  {
    name: 'environment variables',
    run: (v) =>
      withHarness(v, {}, async (h) => {
        const env = (await h.json({ op: 'env' })) as Record<string, string>;
        assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, h.fn.functionName);
        assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
        assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
        assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, `/aws/lambda/${h.fn.functionName}`);
        assert.match(env.AWS_LAMBDA_LOG_STREAM_NAME ?? '', /\[\$LATEST\][0-9a-f]{32}$/);
        assert.equal(env.AWS_REGION, REGION);
        assert.equal(env.AWS_DEFAULT_REGION, REGION);
        assert.equal(
          env.AWS_EXECUTION_ENV,
          v.runtime.startsWith('provided') ? '' : `AWS_Lambda_${v.runtime}`,
        );
        assert.match(env.AWS_LAMBDA_RUNTIME_API ?? '', /^127\.0\.0\.1:\d+$/);
        assert.equal(env.LAMBDA_TASK_ROOT, h.fn.codeDir);
        assert.equal(env._HANDLER, h.fn.handler);
        assert.equal(env.TZ, ':UTC');
        assert.equal(env.LANG, 'en_US.UTF-8');
        assert.match(env.AWS_ACCESS_KEY_ID ?? '', /^ASIA[A-Z2-7]{16}$/);
        assert.ok(env.AWS_SECRET_ACCESS_KEY);
        assert.ok(env.AWS_SESSION_TOKEN);
        assert.equal(env.AWS_LAMBDA_INITIALIZATION_TYPE, 'on-demand');
        assert.equal(env.CUSTOM_VAR, 'from-template');
        assert.equal(env.OVERRIDE_VAR, 'from-env-json');
        assert.equal(env.EXTRA_VAR, 'extra');
        const owner = h.runtime.environmentByAccessKey(env.AWS_ACCESS_KEY_ID ?? '');
        assert.equal(owner?.functionLogicalId, h.fn.logicalId);
      }),
  },
  {
    name: 'async handler echoes the event',
    run: (v) =>
      withHarness(v, {}, async (h) => {
        const event = { op: 'echo', text: 'héllo', n: [1, 2, 3] };
        assert.deepEqual(await h.json(event), event);
      }),
  },
  {
    name: 'callback handler',
    run: (v) =>
      withHarness(v, { handler: v.callbackHandler ?? '' }, async (h) => {
        // callbackWaitsForEmptyEventLoop: the response waits for the pending timer.
        const waited = await h.json({ wait: true });
        assert.deepEqual(waited, { viaCallback: true, lateTimerRanBefore: false });
        const second = await h.json({ wait: false });
        assert.deepEqual(second, { viaCallback: true, lateTimerRanBefore: true });
      }),
  },
  {
    name: 'nested export path',
    run: (v) =>
      withHarness(v, { handler: v.nestedHandler ?? '' }, async (h) => {
        assert.equal(await h.json({}), 'nested ok');
      }),
  },
  {
    name: 'handler error shape',
    run: (v) =>
      withHarness(v, {}, async (h) => {
        const result = await h.invoke({ op: 'throw' });
        assert.equal(result.statusCode, 200);
        assert.equal(result.functionError, 'Unhandled');
        const body = JSON.parse(result.payload.toString()) as Record<string, unknown>;
        assert.equal(body.errorMessage, 'boom');
        // Node.js calls the stack `trace`; Python and custom runtimes `stackTrace`.
        assert.ok(Array.isArray(v.runtime.startsWith('nodejs') ? body.trace : body.stackTrace));
        assert.equal(typeof body.errorType, 'string');
        assert.equal(result.error?.errorMessage, 'boom');
        // The environment survives a handled error.
        assert.deepEqual(await h.json({ op: 'counter' }), { count: 1 });
      }),
  },
  {
    name: 'import error',
    run: async (v) => {
      const spec = v.importError;
      assert.ok(spec);
      await withHarness(v, { codeDir: join(FIXTURES, spec.fixture), handler: spec.handler }, async (h) => {
        const result = await h.invoke({});
        assert.equal(result.functionError, 'Unhandled');
        assert.equal(result.error?.errorType, spec.errorType);
        if (v.runtime.startsWith('nodejs'))
          assert.match(
            result.error?.errorMessage ?? '',
            /Cannot find (module|package) 'this-package-does-not-exist'/,
          );
        assert.match(result.logs, /^START RequestId: /m);
      });
    },
  },
  {
    name: 'handler not found',
    run: (v) =>
      withHarness(v, { handler: 'app.nope' }, async (h) => {
        const result = await h.invoke({});
        assert.equal(result.error?.errorType, 'Runtime.HandlerNotFound');
        if (v.runtime.startsWith('nodejs'))
          assert.equal(result.error?.errorMessage, 'app.nope is undefined or not exported');
      }),
  },
  {
    name: 'syntax error',
    run: async (v) => {
      const spec = v.syntaxError;
      assert.ok(spec);
      const codeDir = SYNTAX_ERROR_FIXTURES[spec.fixture]?.() ?? join(FIXTURES, spec.fixture);
      await withHarness(v, { codeDir, handler: spec.handler }, async (h) => {
        const result = await h.invoke({});
        assert.equal(result.error?.errorType, 'Runtime.UserCodeSyntaxError');
      });
    },
  },
  {
    name: 'timeout kills and replaces the environment',
    run: (v) =>
      withHarness(v, { timeout: 1 }, async (h) => {
        const first = (await h.json({ op: 'version' })) as { pid: number };
        const result = await h.invoke({ op: 'sleep', ms: 5000 });
        assert.equal(result.functionError, 'Unhandled');
        assert.equal(result.error?.errorType, 'Sandbox.Timedout');
        assert.equal(
          result.error?.errorMessage,
          `RequestId: ${result.requestId} Error: Task timed out after 1.00 seconds`,
        );
        assert.match(
          result.logs,
          new RegExp(`^\\S+Z ${result.requestId} Task timed out after 1\\.00 seconds$`, 'm'),
        );
        assert.match(result.logs, /^REPORT RequestId: /m);
        const next = (await h.json({ op: 'version' })) as { pid: number };
        assert.notEqual(next.pid, first.pid);
      }),
  },
  {
    name: 'process exit is Runtime.ExitError and the environment is replaced',
    run: (v) =>
      withHarness(v, {}, async (h) => {
        const result = await h.invoke({ op: 'exit' });
        assert.equal(result.functionError, 'Unhandled');
        assert.equal(result.error?.errorType, 'Runtime.ExitError');
        assert.equal(
          result.error?.errorMessage,
          `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 1`,
        );
        assert.deepEqual(await h.json({ op: 'counter' }), { count: 1 });
        assert.equal(h.runtime.stats()[0]?.coldStarts, 2);
      }),
  },
  {
    name: 'payload and response too large',
    run: (v) =>
      withHarness(v, {}, async (h) => {
        const big = Buffer.alloc(6 * 1024 * 1024 + 1, 0x20);
        await rejectsWith(
          h.runtime.invoke(h.fn.logicalId, { payload: big }),
          'RequestEntityTooLargeException',
          413,
        );
        const asyncBig = Buffer.alloc(1024 * 1024 + 1, 0x20);
        await rejectsWith(
          h.runtime.invoke(h.fn.logicalId, { payload: asyncBig, invocationType: 'Event' }),
          'RequestEntityTooLargeException',
          413,
        );
        const result = await h.invoke({ op: 'big' });
        assert.equal(result.functionError, 'Unhandled');
        assert.equal(result.error?.errorType, 'Function.ResponseSizeTooLarge');
        assert.deepEqual(await h.json({ op: 'echo' }), { op: 'echo' });
      }),
  },
  {
    name: 'reserved concurrency throttles with 429',
    run: async (v) => {
      await withHarness(v, { reservedConcurrentExecutions: 1 }, async (h) => {
        const slow = h.invoke({ op: 'sleep', ms: 300 });
        const err = await rejectsWith(h.invoke({ op: 'counter' }), 'TooManyRequestsException', 429);
        assert.equal(err.message, 'Rate Exceeded.');
        assert.deepEqual(err.fields, { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
        assert.equal((await slow).functionError, undefined);
      });
      await withHarness(v, { reservedConcurrentExecutions: 0 }, async (h) => {
        await rejectsWith(h.invoke({ op: 'counter' }), 'TooManyRequestsException', 429);
      });
    },
  },
  {
    name: 'parallel invokes spawn more environments (up to the eager bound)',
    run: (v) =>
      withHarness(
        v,
        {},
        async (h) => {
          const results = await Promise.all([1, 2, 3].map(() => h.json({ op: 'sleep', ms: 250 })));
          const pids = new Set(results.map((r) => (r as { pid: number }).pid));
          assert.equal(pids.size, 3);
          assert.equal(h.runtime.stats()[0]?.coldStarts, 3);
        },
        { eagerConcurrency: 3 },
      ),
  },
  {
    name: 'logs START/END/REPORT',
    run: (v) =>
      withHarness(v, {}, async (h) => {
        const cold = await h.invoke({ op: 'log' });
        const id = cold.requestId;
        const lines = cold.logs.split('\n');
        assert.equal(
          lines[lines.findIndex((l) => l.startsWith('START'))],
          `START RequestId: ${id} Version: $LATEST`,
        );
        const hello = lines.findIndex((l) => l.includes('hello from the handler'));
        const end = lines.indexOf(`END RequestId: ${id}`);
        assert.ok(hello !== -1 && end > hello, cold.logs);
        const report = lines[end + 1] ?? '';
        assert.match(
          report,
          new RegExp(
            `^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms$`,
          ),
        );
        assert.ok(cold.initDurationMs !== undefined && cold.maxMemoryUsedMB > 0);
        const warm = await h.invoke({ op: 'log' });
        assert.match(warm.logs, /\tMax Memory Used: \d+ MB$/m);
        assert.doesNotMatch(warm.logs, /Init Duration/);
        const tagged = h.records.filter((r) => r.requestId === warm.requestId);
        assert.ok(tagged.some((r) => r.stream !== 'platform' && r.line.includes('hello from the handler')));
        assert.ok(tagged.every((r) => r.functionLogicalId === h.fn.logicalId));
      }),
  },
  {
    name: 'invalidate: the next invoke runs new code while an in-flight one finishes',
    run: async (v) => {
      const dir = copyFixture(v.fixture);
      await withHarness(v, { codeDir: dir }, async (h) => {
        assert.deepEqual(((await h.json({ op: 'version' })) as { version: string }).version, 'v1');
        const inFlight = h.json({ op: 'sleep', ms: 400 });
        await new Promise((r) => setTimeout(r, 100));
        writeFileSync(join(dir, 'version.txt'), 'v2\n');
        h.runtime.invalidate(h.fn.logicalId);
        const fresh = (await h.json({ op: 'version' })) as { version: string };
        assert.equal(fresh.version, 'v2');
        assert.equal(((await inFlight) as { version: string }).version, 'v1');
        assert.equal(((await h.json({ op: 'version' })) as { version: string }).version, 'v2');
      });
    },
  },
];

for (const variant of VARIANTS) {
  describe(`runtime conformance: ${variant.name}`, { concurrency: false }, () => {
    for (const c of CASES) {
      const reason = variant.skip ?? variant.notApplicable?.[c.name];
      const skip = reason ? `${c.name}: ${reason}` : false;
      test(c.name, { skip, timeout: 30_000 }, () => c.run(variant));
    }
  });
}
