/**
 * API keys of REST APIs: a route with `apiKeyRequired` (or the API's `Auth.ApiKeyRequired`) needs an
 * `x-api-key` header, else API Gateway answers 403 `{"message":"Forbidden"}`.
 *
 * Locally, usage plans and key resources are not read from the template: when no keys are given to
 * `startApiGateway({ apiKeys })`, any non-empty key is accepted; when keys are given, the key must
 * be one of them. The accepted key is passed to the event (`requestContext.identity.apiKey`), with a
 * stable `apiKeyId` derived from it.
 */
import { createHash } from 'node:crypto';

export const API_KEY_HEADER = 'x-api-key';

export type ApiKeyCheck = { ok: true; apiKey: string; apiKeyId: string } | { ok: false };

export class ApiKeyValidator {
  private readonly keys: Set<string> | undefined;
  private readonly ids = new Map<string, string>();

  constructor(keys: string[] | undefined) {
    this.keys = keys && keys.length > 0 ? new Set(keys) : undefined;
  }

  check(headerValue: string | string[] | undefined): ApiKeyCheck {
    const key = Array.isArray(headerValue) ? headerValue[0] : headerValue;
    if (key === undefined || key === '') return { ok: false };
    if (this.keys && !this.keys.has(key)) return { ok: false };
    let id = this.ids.get(key);
    if (id === undefined) {
      id = createHash('sha256').update(key).digest('base64url').slice(0, 10).toLowerCase();
      if (this.ids.size < 1000) this.ids.set(key, id);
    }
    return { ok: true, apiKey: key, apiKeyId: id };
  }
}
