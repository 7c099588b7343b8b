/**
 * Integration timeouts: API Gateway stops waiting for the function after 29 s (REST) or 30 s
 * (HTTP), or the route's smaller `timeoutInMillis`, and answers 504 / 503 (gateway-responses.ts).
 * The function itself keeps running to its own timeout, as on AWS.
 */

export const REST_MAX_INTEGRATION_TIMEOUT_MS = 29_000;
export const HTTP_MAX_INTEGRATION_TIMEOUT_MS = 30_000;
/** Lambda authorizers get the same budget (API Gateway's authorizer timeout is not configurable). */
export const AUTHORIZER_TIMEOUT_MS = 30_000;

export function integrationTimeoutMs(protocol: 'REST' | 'HTTP', timeoutInMillis: number | undefined): number {
  const max = protocol === 'REST' ? REST_MAX_INTEGRATION_TIMEOUT_MS : HTTP_MAX_INTEGRATION_TIMEOUT_MS;
  return timeoutInMillis !== undefined && timeoutInMillis > 0 && timeoutInMillis < max
    ? timeoutInMillis
    : max;
}

export const TIMED_OUT: unique symbol = Symbol('timed out');

/** Resolves with the promise's value, or TIMED_OUT after `ms` (the promise is left to settle). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
