/**
 * The AWS query protocol (SNS; SQS's older protocol): form-encoded `Action=...&Param=...` requests,
 * XML `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>` answers and
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` errors.
 */
import type { ServerResponse } from 'node:http';
import { AwsError } from '../services/types.ts';
import { buildXml, sendXml } from './xml.ts';

/** Form body (POST) merged over the URL's query (GET): the query protocol accepts both. */
export function queryParams(query: URLSearchParams, body: Buffer): URLSearchParams {
  const params = new URLSearchParams(query);
  if (body.length > 0) for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
  return params;
}

/** `Attribute.1.Name=a&Attribute.1.Value=b` → `[{Name:'a', Value:'b'}]`, for any prefix and member names. */
export function membersOf(params: URLSearchParams, prefix: string): Array<Record<string, string>> {
  const out = new Map<number, Record<string, string>>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.(.+)$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    const entry = out.get(i) ?? {};
    entry[m[2] as string] = v;
    out.set(i, entry);
  }
  return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
}

export function sendQueryResult(
  res: ServerResponse,
  action: string,
  result: Record<string, unknown> | undefined,
  requestId: string,
  xmlns: string,
): void {
  const body: Record<string, unknown> = { '@_xmlns': xmlns };
  if (result !== undefined) body[`${action}Result`] = result;
  body.ResponseMetadata = { RequestId: requestId };
  sendXml(res, 200, buildXml({ [`${action}Response`]: body }), { 'x-amzn-requestid': requestId });
}

export function sendQueryError(res: ServerResponse, err: unknown, requestId: string, xmlns: string): void {
  const e = err instanceof AwsError ? err : new AwsError('InternalFailure', String(err), 500);
  const xml = buildXml({
    ErrorResponse: {
      '@_xmlns': xmlns,
      Error: { Type: e.fault, Code: e.code, Message: e.message, ...e.fields },
      RequestId: requestId,
    },
  });
  sendXml(res, e.statusCode, xml, { 'x-amzn-requestid': requestId });
}
