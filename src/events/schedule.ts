/** The `Scheduled Event` an EventBridge rule with a schedule expression sends its targets. */
import type { EventEnv } from './env.ts';
import { eventBridgeEvent } from './eventbridge.ts';

export function scheduledEvent(opts: { ruleArn: string }, env: EventEnv): Record<string, unknown> {
  return eventBridgeEvent(
    { source: 'aws.events', detailType: 'Scheduled Event', detail: {}, resources: [opts.ruleArn] },
    env,
  );
}
