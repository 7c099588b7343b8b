/**
 * Recursive loop detection, as Lambda does it (https://docs.aws.amazon.com/lambda/latest/dg/invocation-recursion.html):
 * when one triggering event has invoked a function more than 16 times through SQS, SNS, S3 or
 * Lambda, the next invocation is not made; an asynchronous event goes to the function's
 * dead-letter queue or on-failure destination. `RecursiveLoop: Allow` on the function turns it off.
 */
import type { FunctionModel } from '../project/model.ts';
import type { Cause, CauseLink } from '../trace/index.ts';

/** AWS stops the invocation that would follow the 16th of one chain. */
export const MAX_RECURSIVE_INVOCATIONS = 16;

export type LoopVerdict = { stop: false } | { stop: true; count: number; message: string };

/** How many times `functionLogicalId` already ran in this chain. */
export function timesInChain(cause: Cause | undefined, functionLogicalId: string): number {
  if (!cause) return 0;
  let n = 0;
  for (const link of cause.chain) if (link.functionLogicalId === functionLogicalId) n++;
  return n;
}

/**
 * Decides whether invoking `fn` for an event with `cause` (coming from `source`, e.g. `S3 uploads`)
 * would exceed the limit. The message is the one loud line to log when it does.
 */
export function checkRecursiveLoop(
  fn: FunctionModel,
  cause: Cause | undefined,
  source?: string,
): LoopVerdict {
  if (fn.recursiveLoop === 'Allow') return { stop: false };
  const count = timesInChain(cause, fn.logicalId);
  if (count < MAX_RECURSIVE_INVOCATIONS) return { stop: false };
  const path = describeChain([
    ...(cause?.chain ?? []),
    { functionLogicalId: fn.logicalId, requestId: '', source },
  ]);
  return {
    stop: true,
    count,
    message:
      `Recursive loop detected: ${path} (${count} invocations); stopped. ` +
      `Set RecursiveLoop: Allow on ${fn.logicalId} to allow it.`,
  };
}

/** `S3 uploads → HashFn → S3 uploads → HashFn …`: the start of the chain, enough to see the loop. */
export function describeChain(chain: CauseLink[], maxNodes = 4): string {
  const nodes: string[] = [];
  for (const link of chain) {
    if (link.source) nodes.push(link.source);
    nodes.push(link.functionLogicalId);
  }
  if (nodes.length <= maxNodes) return nodes.join(' → ');
  return `${nodes.slice(0, maxNodes).join(' → ')} …`;
}
