/** POST /2018-06-01/runtime/invocation/{id}/response */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_SYNC_RESPONSE_BYTES } from '../types.ts';
import { readBody, sendResult } from './http-util.ts';
import { HEADER_DURATION_MS, noteDuration, type RuntimeApiTarget } from './target.ts';

export async function handleResponse(
  target: RuntimeApiTarget,
  requestId: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { body, bytes } = await readBody(req, MAX_SYNC_RESPONSE_BYTES);
  noteDuration(target, req.headers[HEADER_DURATION_MS]);
  sendResult(res, target.response(requestId, body, bytes));
}
