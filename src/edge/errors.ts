/**
 * The edge's last line of defence: an error a service threw (or a request no service answers)
 * rendered in the wire style the client speaks, so an SDK reads a proper AWS error instead of a
 * dropped connection.
 */
import type { ServerResponse } from 'node:http';
import { sendJsonError } from '../protocols/json.ts';
import { sendQueryError } from '../protocols/query.ts';
import { sendRestXmlError } from '../protocols/rest-xml.ts';
import { AwsServiceError } from '../shared/errors.ts';
import { AwsError, type AwsRequest, type AwsService } from '../services/types.ts';
import { isFormRequest, operationOf } from './dispatch.ts';

const QUERY_XMLNS: Record<string, string> = {
  sqs: 'http://queue.amazonaws.com/doc/2012-11-05/',
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

/** Any thrown value as an AwsError: AWS-coded errors keep their code and status, the rest are 500s. */
export function toAwsError(err: unknown, internalCode = 'InternalFailure'): AwsError {
  if (err instanceof AwsError) return err;
  if (err instanceof AwsServiceError) return new AwsError(err.code, err.message, err.statusCode, err.fields);
  const message = err instanceof Error ? err.message : String(err);
  return new AwsError(internalCode, `Slipway internal error: ${message}`, 500);
}

function jsonContentType(req: AwsRequest): string {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.startsWith('application/x-amz-json')
    ? type
    : 'application/x-amz-json-1.1';
}

export function sendEdgeError(
  res: ServerResponse,
  req: AwsRequest,
  service: AwsService | undefined,
  err: unknown,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (typeof req.headers['x-amz-target'] === 'string') {
    sendJsonError(res, toAwsError(err), req.requestId, jsonContentType(req));
    return;
  }
  const signingName = service?.signingName ?? req.signingService ?? '';
  if (service?.queryActions && (operationOf(req) !== undefined || isFormRequest(req))) {
    sendQueryError(res, toAwsError(err), req.requestId, QUERY_XMLNS[signingName] ?? '');
    return;
  }
  if (signingName === 's3') {
    sendRestXmlError(res, toAwsError(err, 'InternalError'), req.requestId, req.method);
    return;
  }
  sendJsonError(res, toAwsError(err), req.requestId, 'application/json');
}

/** No registered service answers this request. */
export function unknownOperation(req: AwsRequest): AwsError {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string')
    return new AwsError('UnknownOperationException', `Slipway does not serve the operation ${target}.`, 400);
  if (req.signingService)
    return new AwsError(
      'UnknownOperationException',
      `Slipway does not emulate the AWS service '${req.signingService}' (${req.method} ${req.rawPath}).`,
      400,
    );
  const action = operationOf(req);
  return new AwsError(
    'UnknownOperationException',
    action
      ? `Slipway does not serve the action ${action}.`
      : `Slipway does not serve ${req.method} ${req.rawPath} on this endpoint.`,
    400,
  );
}
