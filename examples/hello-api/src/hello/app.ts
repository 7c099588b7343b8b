import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from './lambda-types.ts';

// Module-level state survives between invocations of a warm environment, as on Lambda.
let invocations = 0;

export const handler = async (
  event: APIGatewayProxyEvent,
  context: Context,
): Promise<APIGatewayProxyResult> => {
  invocations += 1;
  const name = event.queryStringParameters?.name ?? 'world';
  console.log(`greeting ${name} (invocation ${invocations} of this environment)`);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      message: `${process.env.GREETING ?? 'Hello'}, ${name}!`,
      requestId: context.awsRequestId,
      invocations,
    }),
  };
};
