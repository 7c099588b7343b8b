/** S3's rest-xml errors: `<Error><Code/><Message/>...<RequestId/></Error>` with AWS's status codes. */
import type { ServerResponse } from 'node:http';
import { AwsError } from '../services/types.ts';
import { buildXml, sendXml } from './xml.ts';

export function sendRestXmlError(res: ServerResponse, err: unknown, requestId: string, method = 'GET'): void {
  const e = err instanceof AwsError ? err : new AwsError('InternalError', String(err), 500);
  const headers = { 'x-amz-request-id': requestId, 'x-amz-id-2': requestId };
  // HEAD responses carry no body: the SDKs read the code from the status.
  if (method === 'HEAD') {
    res.writeHead(e.statusCode, headers);
    res.end();
    return;
  }
  const xml = buildXml({
    Error: { Code: e.code, Message: e.message, ...e.fields, RequestId: requestId, HostId: requestId },
  });
  sendXml(res, e.statusCode, xml, headers);
}
