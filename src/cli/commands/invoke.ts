import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { invokeConfig, type CommonFlags } from '../../config/index.ts';
import { EXIT_CODES, SlipwayError } from '../../shared/errors.ts';
import { createReporter, reportFailure } from '../output.ts';
import { addProjectOptions } from './common.ts';
import type { InvokeResult } from '../../runtime/types.ts';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads the event (file, `-` for stdin, or `{}`) and checks it is JSON, naming the place of a syntax error. */
export async function readEvent(source: string | undefined): Promise<Buffer> {
  if (source === undefined) return Buffer.from('{}');
  const name = source === '-' ? 'standard input' : source;
  let bytes: Buffer;
  try {
    bytes = source === '-' ? await readStdin() : await readFile(source);
  } catch (err) {
    throw new SlipwayError(
      'EventFileUnreadable',
      `cannot read the event file ${name}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      {
        where: { file: source },
        hint: 'pass --event <file.json>, or --event - to read it from standard input; `slipway events` prints samples',
      },
    );
  }
  try {
    JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new SlipwayError(
      'EventInvalid',
      `the event in ${name} is not valid JSON: ${(err as Error).message}`,
      {
        where: { file: source },
        hint: '`slipway events <source> <type>` prints a valid sample event',
      },
    );
  }
  return bytes;
}

/** The --json rendering of an invocation, in the Lambda Invoke API's words where it has them. */
function resultObject(result: InvokeResult): Record<string, unknown> {
  const text = result.payload.toString('utf8');
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    /* not JSON: kept as the string the function returned */
  }
  return {
    requestId: result.requestId,
    statusCode: result.statusCode,
    functionError: result.functionError ?? null,
    executedVersion: result.executedVersion,
    payload,
    durationMs: result.durationMs,
    billedDurationMs: result.billedDurationMs,
    initDurationMs: result.initDurationMs ?? null,
    maxMemoryUsedMB: result.maxMemoryUsedMB,
    logs: result.logs.split('\n').filter((l) => l.length > 0),
  };
}

export function register(program: Command): void {
  addProjectOptions(
    program
      .command('invoke')
      .description('run one function once: its result on stdout, its logs on stderr')
      .argument('<function>', "the function's logical id (or its FunctionName)")
      .option('-e, --event <file>', "event JSON file, or '-' for standard input (default: {})")
      .option(
        '--json',
        'print one JSON object: result, error, logs and durations (logs are not streamed to stderr)',
      ),
  )
    .addHelpText(
      'after',
      '\nExample:\n  slipway invoke HelloFunction --event events/hello.json\n  slipway events s3 put --key a.txt | slipway invoke Thumbnail --event -',
    )
    .action(async (functionId: string, flags: CommonFlags & { event?: string; json?: boolean }) => {
      const json = flags.json ?? false;
      const streamed = createReporter({ json, prefixFunction: false, out: process.stderr });
      // With --json the logs travel inside the result object instead of being streamed.
      const reporter = json ? { ...streamed, log: () => undefined } : streamed;
      try {
        const config = invokeConfig(functionId, flags, process.env, process.cwd());
        const payload = await readEvent(config.event);
        // Loaded on use: the runtime is not needed to parse flags or print help.
        const { invokeOnce } = await import('../../app/invoke.ts');
        const result = await invokeOnce(config, payload, reporter);
        process.stdout.write(
          (json ? JSON.stringify(resultObject(result)) : result.payload.toString('utf8')) + '\n',
        );
        process.exitCode = result.functionError ? EXIT_CODES.functionError : EXIT_CODES.ok;
      } catch (err) {
        process.exitCode = reportFailure(err, json);
      }
    });
}
