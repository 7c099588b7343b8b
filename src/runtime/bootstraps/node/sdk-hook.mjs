// Module resolution hook registered only for functions that import the AWS SDK v3 without
// bundling it (as Lambda's Node.js runtimes provide it): a bare `@aws-sdk/*` (or `@smithy/*`)
// import the function's own folders cannot resolve is resolved from Slipway's copy instead.
const SDK_PARENT = process.env.SLIPWAY_SDK_PARENT_URL;
const PROVIDED = /^@(aws-sdk|smithy|aws-crypto)\//;

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (SDK_PARENT && err?.code === 'ERR_MODULE_NOT_FOUND' && PROVIDED.test(specifier))
      return next(specifier, { ...context, parentURL: SDK_PARENT });
    throw err;
  }
}
