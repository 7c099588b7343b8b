/**
 * What Slipway reads from an AWS request signature (it accepts any credentials by default): the
 * access key id (to attribute the call to a function environment), and for Signature Version 4 the
 * signing region and the signing service.
 *
 *  - SigV4 header: `Authorization: AWS4-HMAC-SHA256 Credential=<AKID>/<yyyymmdd>/<region>/<service>/aws4_request, ...`
 *  - SigV4 presigned URL: `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=<scope>&...`
 *  - SigV4a header (`AWS4-ECDSA-P256-SHA256`): scope `<AKID>/<yyyymmdd>/<service>/aws4_request`,
 *    regions in `X-Amz-Region-Set`.
 *  - SigV2 header (old clients): `Authorization: AWS <AKID>:<signature>`; SigV2 presigned URL:
 *    `?AWSAccessKeyId=<AKID>&Signature=...&Expires=...`. No region or service in either.
 *
 * Parsing never throws: a malformed signature is simply "unsigned" (the service decides).
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface SigV4Scope {
  accessKeyId: string;
  /** `yyyymmdd` of the credential scope (SigV4 only). */
  date?: string;
  /** Signing region (SigV4; SigV4a's first `X-Amz-Region-Set` entry when it names one). */
  region?: string;
  /** Signing service name, e.g. `s3`, `sqs`, `lambda` (SigV4 only). */
  service?: string;
  presigned: boolean;
  /** Signature version the request used. */
  version: 2 | 4;
}

/** Access key ids are short; anything longer is not a credential we can attribute. */
const MAX_ACCESS_KEY_ID = 128;
const MAX_SCOPE_PART = 64;

/** The credential scope in a SigV4 Authorization header (one precompiled pattern: faster than splitting). */
const SIGV4_CREDENTIAL =
  /Credential=([^/,\s]{1,128})\/(\d{8})\/([^/,\s]{1,64})\/([^/,\s]{1,64})\/aws4_request(?=[,\s]|$)/;
const SIGV4A_CREDENTIAL = /Credential=([^/,\s]{1,128})\/(\d{8})\/([^/,\s]{1,64})\/aws4_request(?=[,\s]|$)/;

function validPart(s: string | undefined, max = MAX_SCOPE_PART): s is string {
  return s !== undefined && s.length > 0 && s.length <= max;
}

function isDate(s: string): boolean {
  if (s.length !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `<AKID>/<date>/<region>/<service>/aws4_request` (SigV4) or `<AKID>/<date>/<service>/aws4_request` (SigV4a). */
function parseCredential(credential: string, presigned: boolean, sigv4a: boolean): SigV4Scope | undefined {
  const parts = credential.trim().split('/');
  const expected = sigv4a ? 4 : 5;
  if (parts.length !== expected || parts[expected - 1] !== 'aws4_request') return undefined;
  const accessKeyId = parts[0];
  const date = parts[1];
  if (!validPart(accessKeyId, MAX_ACCESS_KEY_ID) || !validPart(date) || !isDate(date)) return undefined;
  if (sigv4a) {
    const service = parts[2];
    if (!validPart(service)) return undefined;
    return { accessKeyId, date, service, presigned, version: 4 };
  }
  const region = parts[2];
  const service = parts[3];
  if (!validPart(region) || !validPart(service)) return undefined;
  return { accessKeyId, date, region, service, presigned, version: 4 };
}

/** `AWS <AKID>:<signature>` → AKID. */
function parseSigV2Header(auth: string): SigV4Scope | undefined {
  const rest = auth.slice(4).trim();
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || colon === rest.length - 1) return undefined;
  const accessKeyId = rest.slice(0, colon);
  if (!validPart(accessKeyId, MAX_ACCESS_KEY_ID) || accessKeyId.includes(' ')) return undefined;
  return { accessKeyId, presigned: false, version: 2 };
}

function firstRegion(regionSet: string | string[] | undefined): string | undefined {
  const value = Array.isArray(regionSet) ? regionSet[0] : regionSet;
  if (typeof value !== 'string') return undefined;
  const first = value.split(',')[0]?.trim();
  return first && first !== '*' && !first.includes('*') && first.length <= MAX_SCOPE_PART ? first : undefined;
}

export function parseSigV4(headers: IncomingHttpHeaders, query: URLSearchParams): SigV4Scope | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    if (auth.startsWith('AWS4-HMAC-SHA256')) {
      const m = SIGV4_CREDENTIAL.exec(auth);
      if (m)
        return {
          accessKeyId: m[1] as string,
          date: m[2] as string,
          region: m[3] as string,
          service: m[4] as string,
          presigned: false,
          version: 4,
        };
    } else if (auth.startsWith('AWS4-ECDSA-P256-SHA256')) {
      const m = SIGV4A_CREDENTIAL.exec(auth);
      if (m) {
        const scope: SigV4Scope = {
          accessKeyId: m[1] as string,
          date: m[2],
          service: m[3],
          presigned: false,
          version: 4,
        };
        const region = firstRegion(headers['x-amz-region-set']);
        if (region) scope.region = region;
        return scope;
      }
    } else if (auth.startsWith('AWS ')) {
      const scope = parseSigV2Header(auth);
      if (scope) return scope;
    }
  }
  if (query.size === 0) return undefined;
  const credential = query.get('X-Amz-Credential');
  if (credential) {
    const sigv4a = query.get('X-Amz-Algorithm') === 'AWS4-ECDSA-P256-SHA256';
    const scope = parseCredential(credential, true, sigv4a);
    if (scope) {
      if (sigv4a) {
        const region = firstRegion(query.get('X-Amz-Region-Set') ?? undefined);
        if (region) scope.region = region;
      }
      return scope;
    }
  }
  const v2Key = query.get('AWSAccessKeyId');
  if (v2Key && validPart(v2Key, MAX_ACCESS_KEY_ID) && query.has('Signature'))
    return { accessKeyId: v2Key, presigned: true, version: 2 };
  return undefined;
}
