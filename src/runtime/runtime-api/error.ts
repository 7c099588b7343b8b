/** POST /2018-06-01/runtime/invocation/{id}/error */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendResult } from './http-util.ts';
import { HEADER_DURATION_MS, noteDuration, type RuntimeApiTarget } from './target.ts';

/** An error document larger than this is cut (it is parsed in the parent). */
const MAX_ERROR_BYTES = 1024 * 1024;

export async function handleError(
  target: RuntimeApiTarget,
  requestId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { body } = await readBody(req, MAX_ERROR_BYTES);
  noteDuration(target, req.headers[HEADER_DURATION_MS]);
  sendResult(res, target.error(requestId, body, headerValue(req, 'lambda-runtime-function-error-type')));
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
