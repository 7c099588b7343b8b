/**
 * JWT decoding for HTTP API JWT authorizers and REST Cognito user pool authorizers.
 *
 * Locally the token's signature is NOT verified (Slipway has no access to the issuer's keys offline,
 * and a local tool should accept tokens minted by test helpers); the claims are decoded, and `exp`,
 * `nbf`, the issuer and the audience (`aud`, or `client_id` for Cognito access tokens) are checked
 * as API Gateway checks them. Never rely on this for security.
 */

export type JwtResult = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
}

/** Strips an optional `Bearer ` prefix. */
export function bearerToken(value: string): string {
  return /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
}

export function decodeJwt(
  token: string,
  nowMs: number,
  config: { issuer?: string; audience?: string[] } | undefined,
): JwtResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'the token is not a JWT (three dot-separated parts)' };
  let claims: unknown;
  try {
    decodeSegment(parts[0] as string);
    claims = decodeSegment(parts[1] as string);
  } catch {
    return { ok: false, reason: 'the token is not a JWT (its header or payload is not base64url JSON)' };
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    return { ok: false, reason: 'the JWT payload is not a JSON object' };
  }
  const c = claims as Record<string, unknown>;
  const now = nowMs / 1000;
  if (typeof c.exp === 'number' && c.exp <= now) return { ok: false, reason: 'the JWT has expired (exp)' };
  if (typeof c.nbf === 'number' && c.nbf > now)
    return { ok: false, reason: 'the JWT is not valid yet (nbf)' };
  if (config?.issuer && c.iss !== config.issuer) {
    return { ok: false, reason: `the JWT issuer ${String(c.iss)} is not ${config.issuer}` };
  }
  const audience = config?.audience ?? [];
  if (audience.length > 0) {
    const aud = Array.isArray(c.aud) ? (c.aud as unknown[]) : c.aud !== undefined ? [c.aud] : [c.client_id];
    if (!aud.some((a) => typeof a === 'string' && audience.includes(a))) {
      return { ok: false, reason: `the JWT audience is not one of ${audience.join(', ')}` };
    }
  }
  return { ok: true, claims: c };
}

/** Claims as API Gateway passes them: strings, arrays as `[a b c]`. */
export function stringifyClaims(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(claims)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v))
      out[k] = `[${v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')}]`;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = `${v}`;
    else out[k] = JSON.stringify(v) ?? '';
  }
  return out;
}

/** OAuth scopes of a token (`scope` space-separated, or `scp`), or null. */
export function scopesOf(claims: Record<string, unknown>): string[] | null {
  if (typeof claims.scope === 'string' && claims.scope !== '')
    return claims.scope.split(' ').filter((s) => s !== '');
  if (Array.isArray(claims.scp)) return claims.scp.filter((s): s is string => typeof s === 'string');
  if (typeof claims.scp === 'string') return claims.scp.split(' ').filter((s) => s !== '');
  return null;
}
