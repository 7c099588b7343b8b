/** CloudWatch Logs subscription filter deliveries: `awslogs.data` is base64(gzip(JSON)). */
import { type EventEnv, hexId } from './env.ts';
import { gzipBase64Json } from './encoding.ts';

export interface CloudWatchLogsOptions {
  logGroup: string;
  logStream: string;
  filterName: string;
  messages: string[];
}

/** The document inside `awslogs.data`. */
export function cloudWatchLogsData(opts: CloudWatchLogsOptions, env: EventEnv): Record<string, unknown> {
  const at = env.now().getTime();
  const base = BigInt(at) * 10n ** 42n + (BigInt(`0x${hexId(env, 24)}`) % 10n ** 40n);
  return {
    messageType: 'DATA_MESSAGE',
    owner: env.accountId,
    logGroup: opts.logGroup,
    logStream: opts.logStream,
    subscriptionFilters: [opts.filterName],
    logEvents: opts.messages.map((message, i) => ({
      id: (base + BigInt(i)).toString().padStart(56, '3'),
      timestamp: at + i,
      message,
    })),
  };
}

export function cloudWatchLogsEvent(opts: CloudWatchLogsOptions, env: EventEnv): Record<string, unknown> {
  return { awslogs: { data: gzipBase64Json(cloudWatchLogsData(opts, env)) } };
}
