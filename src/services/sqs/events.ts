/**
 * What SQS emits for the triggers layer and traces.
 *
 * - `MessageSent` (source `sqs`, resourceArn = queue ARN): a message was accepted (SendMessage,
 *   each SendMessageBatch entry, the internal `sendMessage`). detail: `{ messageId, queueUrl }`.
 *   FIFO duplicates inside the deduplication window are not new messages and emit nothing.
 *
 * Pollers (event source mappings) do not need events to learn of new messages: they subscribe with
 * `onMessageAvailable`, which also fires after delays and visibility timeouts end.
 */
import type { Caller, ServiceContext } from '../types.ts';

export const SQS_EVENT_SOURCE = 'sqs';

export interface MessageSentDetail {
  messageId: string;
  queueUrl: string;
}

export function emitMessageSent(
  ctx: ServiceContext,
  queueArn: string,
  detail: MessageSentDetail,
  caller: Caller | undefined,
): void {
  ctx.emit({
    source: SQS_EVENT_SOURCE,
    type: 'MessageSent',
    resourceArn: queueArn,
    detail: { ...detail },
    caller,
    time: ctx.clock.now(),
  });
}
