// The few types this example needs (the full set lives in @types/aws-lambda).
export interface APIGatewayProxyEvent {
  httpMethod: string;
  path: string;
  queryStringParameters: Record<string, string | undefined> | null;
  headers: Record<string, string | undefined>;
  body: string | null;
}
export interface APIGatewayProxyResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}
export interface Context {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}
