/**
 * What Slipway reads from AWS Signature Version 4 (it accepts any credentials by default): the
 * access key id (to attribute the call to a function environment), the signing region and the
 * signing service, from the `Authorization` header or a presigned URL's `X-Amz-Credential`.
 * Credential scope: `<AccessKeyId>/<yyyymmdd>/<region>/<service>/aws4_request`.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  presigned: boolean;
}

const HEADER_RE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

function parseCredential(credential: string): Omit<SigV4Scope, 'presigned'> | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

export function parseSigV4(headers: IncomingHttpHeaders, query: URLSearchParams): SigV4Scope | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('AWS4-HMAC-SHA256')) {
    const m = HEADER_RE.exec(auth);
    if (m)
      return {
        accessKeyId: m[1] as string,
        date: m[2] as string,
        region: m[3] as string,
        service: m[4] as string,
        presigned: false,
      };
  }
  const credential = query.get('X-Amz-Credential');
  if (credential) {
    const scope = parseCredential(credential);
    if (scope) return { ...scope, presigned: true };
  }
  return undefined;
}
