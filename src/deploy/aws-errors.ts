/** Reading the AWS SDK v3's errors: not-found checks and one-line descriptions for the summary. */

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

function shape(err: unknown): SdkErrorShape {
  if (typeof err === 'object' && err !== null) return err;
  return { message: String(err) };
}

/** GetFunction's ResourceNotFoundException, HeadObject's bare 404 (`NotFound`), NoSuchKey. */
export function isNotFound(err: unknown): boolean {
  const e = shape(err);
  return (
    e.name === 'ResourceNotFoundException' ||
    e.name === 'NotFound' ||
    e.name === 'NoSuchKey' ||
    e.$metadata?.httpStatusCode === 404
  );
}

/** Errors that mean the credentials are missing or refused: no point trying the other functions. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
]);

export function isCredentialError(err: unknown): boolean {
  return CREDENTIAL_ERRORS.has(shape(err).name ?? '');
}

/** Network failures (nothing listening, DNS): the endpoint, not a function, is the problem. */
export function isConnectionError(err: unknown): boolean {
  const e = shape(err);
  return ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'ETIMEDOUT'].includes(
    e.code ?? e.name ?? '',
  );
}

export function describeAwsError(err: unknown): string {
  const e = shape(err);
  const status = e.$metadata?.httpStatusCode;
  const name = e.name && e.name !== 'Error' ? `${e.name}${status ? ` (HTTP ${status})` : ''}: ` : '';
  return `${name}${e.message ?? String(err)}`;
}
