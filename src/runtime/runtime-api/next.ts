/** GET /2018-06-01/runtime/invocation/next: blocks until an invocation, answered with its event. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendResult } from './http-util.ts';
import type { Deliverer, RuntimeApiTarget } from './target.ts';

export function handleNext(target: RuntimeApiTarget, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const deliver: Deliverer = (delivery) => {
    if (res.destroyed) return;
    const headers: Record<string, string | number> = { ...delivery.headers };
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = delivery.body.length;
    res.writeHead(200, headers);
    res.end(delivery.body);
  };
  const result = target.next(deliver);
  if (result.status !== 200) {
    sendResult(res, result);
    return;
  }
  res.on('close', () => {
    if (!res.writableFinished) target.nextAbandoned(deliver);
  });
}
