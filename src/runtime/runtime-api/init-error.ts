/** POST /2018-06-01/runtime/init/error */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerValue } from './error.ts';
import { readBody, sendResult } from './http-util.ts';
import type { RuntimeApiTarget } from './target.ts';

const MAX_ERROR_BYTES = 1024 * 1024;

export async function handleInitError(
  target: RuntimeApiTarget,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { body } = await readBody(req, MAX_ERROR_BYTES);
  sendResult(res, target.initError(body, headerValue(req, 'lambda-runtime-function-error-type')));
}
