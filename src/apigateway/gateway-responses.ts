/**
 * The responses API Gateway itself produces (its "gateway responses"), with AWS's default status,
 * body and `x-amzn-ErrorType`, per API protocol. One table, so a correction is one line.
 *
 * Sources: API Gateway developer guide — "Gateway response types" (REST), "Troubleshooting issues
 * with HTTP API Lambda integrations" and "Working with AWS Lambda authorizers for HTTP APIs" (HTTP).
 */

export type ApiProtocol = 'REST' | 'HTTP';

export type GatewayErrorKind =
  /** No route matches (REST: MISSING_AUTHENTICATION_TOKEN, 403; HTTP: 404). */
  | 'NotFound'
  /** Malformed Lambda proxy response or function error (REST 502, HTTP 500). */
  | 'IntegrationFailure'
  /**
   * Lambda itself refused the invoke (throttling 429 included — API Gateway does not forward
   * Lambda's 429, it answers 500), or the invoke failed for a reason that is not the function's.
   */
  | 'LambdaServiceError'
  /** Integration timeout (REST 29 s → 504; HTTP 30 s → 503). */
  | 'IntegrationTimeout'
  /** Identity source missing, token fails the validation expression, authorizer says "Unauthorized". */
  | 'Unauthorized'
  /** IAM policy from the authorizer explicitly denies the method. */
  | 'ExplicitDeny'
  /** IAM policy from the authorizer does not allow the method (or a simple response says false). */
  | 'AccessDenied'
  /** Authorizer function failed or returned a malformed response. */
  | 'AuthorizerFailure'
  /** API key missing or unknown on an `apiKeyRequired` route. */
  | 'InvalidApiKey'
  /** Request body over 10 MB. */
  | 'RequestTooLarge';

interface Spec {
  status: number;
  body: string;
  errorType?: string;
}

const REST: Record<GatewayErrorKind, Spec> = {
  NotFound: {
    status: 403,
    body: '{"message":"Missing Authentication Token"}',
    errorType: 'MissingAuthenticationTokenException',
  },
  IntegrationFailure: {
    status: 502,
    body: '{"message": "Internal server error"}',
    errorType: 'InternalServerErrorException',
  },
  LambdaServiceError: {
    status: 500,
    body: '{"message": "Internal server error"}',
    errorType: 'InternalServerErrorException',
  },
  IntegrationTimeout: { status: 504, body: '{"message": "Endpoint request timed out"}' },
  Unauthorized: { status: 401, body: '{"message":"Unauthorized"}', errorType: 'UnauthorizedException' },
  ExplicitDeny: {
    status: 403,
    body: '{"Message":"User is not authorized to access this resource with an explicit deny"}',
    errorType: 'AccessDeniedException',
  },
  AccessDenied: {
    status: 403,
    body: '{"Message":"User is not authorized to access this resource"}',
    errorType: 'AccessDeniedException',
  },
  AuthorizerFailure: {
    status: 500,
    body: '{"message": null}',
    errorType: 'AuthorizerConfigurationException',
  },
  InvalidApiKey: { status: 403, body: '{"message":"Forbidden"}', errorType: 'ForbiddenException' },
  RequestTooLarge: {
    status: 413,
    body: '{"message":"Request Too Long"}',
    errorType: 'RequestTooLongException',
  },
};

const HTTP: Record<GatewayErrorKind, Spec> = {
  NotFound: { status: 404, body: '{"message":"Not Found"}' },
  IntegrationFailure: { status: 500, body: '{"message":"Internal Server Error"}' },
  LambdaServiceError: { status: 500, body: '{"message":"Internal Server Error"}' },
  IntegrationTimeout: { status: 503, body: '{"message":"Service Unavailable"}' },
  Unauthorized: { status: 401, body: '{"message":"Unauthorized"}' },
  ExplicitDeny: { status: 403, body: '{"message":"Forbidden"}' },
  AccessDenied: { status: 403, body: '{"message":"Forbidden"}' },
  AuthorizerFailure: { status: 500, body: '{"message":"Internal Server Error"}' },
  InvalidApiKey: { status: 403, body: '{"message":"Forbidden"}' },
  RequestTooLarge: { status: 413, body: '{"message":"Request Entity Too Large"}' },
};

/** Status, flat header list and body of a gateway response, ready for `res.writeHead`. */
export function gatewayError(
  protocol: ApiProtocol,
  kind: GatewayErrorKind,
): { statusCode: number; headers: string[]; body: string } {
  const spec = (protocol === 'REST' ? REST : HTTP)[kind];
  const headers = ['content-type', 'application/json'];
  if (protocol === 'REST' && spec.errorType) headers.push('x-amzn-ErrorType', spec.errorType);
  return { statusCode: spec.status, headers, body: spec.body };
}
