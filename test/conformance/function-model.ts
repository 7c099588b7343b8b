/** Builds FunctionModel objects for runtime tests (the project loader is not needed). */
import type { FunctionModel } from '../../src/project/model.ts';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';

export function functionModel(
  fields: Pick<FunctionModel, 'logicalId' | 'runtime' | 'handler'> & Partial<FunctionModel>,
): FunctionModel {
  const functionName = fields.functionName ?? `slipway-test-${fields.logicalId}`;
  const family = fields.runtime.startsWith('nodejs')
    ? 'nodejs'
    : fields.runtime.startsWith('python')
      ? 'python'
      : 'provided';
  return {
    resourceType: 'AWS::Serverless::Function',
    functionName,
    arn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
    runtimeFamily: family,
    packageType: 'Zip',
    timeout: 3,
    memorySize: 128,
    ephemeralStorageMB: 512,
    architectures: ['x86_64'],
    environment: {},
    layers: [],
    events: [],
    loggingConfig: { logFormat: 'Text' },
    location: { file: 'template.yaml', line: 1, column: 1 },
    ...fields,
  };
}
