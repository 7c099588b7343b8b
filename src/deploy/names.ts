/**
 * Which function in the account a template's function is. A stack deployed by CloudFormation (or
 * `sam deploy`) names functions `<stack>-<LogicalId>-<random>` unless the template gives a
 * FunctionName, so the stack's resources decide (ListStackResources → PhysicalResourceId). Where
 * there is no such stack (a running `slipway dev`, which gives functions stable names of the same
 * shape, or functions created by hand), the template's own names are used.
 */
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { isConnectionError, isCredentialError } from './aws-errors.ts';

const FUNCTION_TYPES = new Set(['AWS::Lambda::Function']);

export interface NameResolution {
  /** LogicalId → function name in the account. */
  names: Map<string, string>;
  /** 'stack' when the names came from the stack's resources, 'template' otherwise. */
  source: 'stack' | 'template';
  /** Why the stack was not used (for a notice), when source is 'template'. */
  reason?: string;
}

export async function resolveFunctionNames(
  stackName: string,
  templateNames: Map<string, string>,
  client: CloudFormationClient,
): Promise<NameResolution> {
  const fromStack = new Map<string, string>();
  try {
    for await (const page of paginateListStackResources({ client }, { StackName: stackName }))
      for (const r of page.StackResourceSummaries ?? [])
        if (
          r.ResourceType &&
          FUNCTION_TYPES.has(r.ResourceType) &&
          r.LogicalResourceId &&
          r.PhysicalResourceId
        )
          fromStack.set(r.LogicalResourceId, r.PhysicalResourceId);
  } catch (err) {
    if (isCredentialError(err) || isConnectionError(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    return { names: templateNames, source: 'template', reason: `stack ${stackName}: ${message}` };
  }
  const names = new Map(templateNames);
  for (const [logicalId, physical] of fromStack) if (names.has(logicalId)) names.set(logicalId, physical);
  return { names, source: 'stack' };
}
