// The targets of issues 5 and 3, shown beside the figures of a run (tests never assert timings).
// Each finds its figure among the rows by scenario, metric and peer; a target whose figure was not
// measured in the run says so.

const find = (rows, scenario, metric, peer) =>
  rows.find(
    (r) =>
      r.scenario === scenario &&
      r.metric === metric &&
      (peer === undefined || (r.peer ?? '').startsWith(peer)),
  );

const FAST = '(fast channel, default)';
const SLS_DEFAULT = 'serverless-offline (worker threads';
const SLS_INPROCESS = 'serverless-offline --useInProcess';

/** S3 1 KiB throughput ≥ 3× s3rver (issue 3), per operation, client and store mode. */
const S3_SMALL_OBJECT_TARGETS = ['PUT', 'GET'].flatMap((op) =>
  [
    ['SDK', 'SDK, checksums when required, 16 in flight'],
    ['light client', 'light client, 16 connections'],
  ].flatMap(([client, metric]) =>
    [
      ['durable, the default', 'durable'],
      ['--ephemeral', 'ephemeral'],
    ].map(([mode, store]) => ({
      target: `S3 1 KiB ${op} throughput ≥ 3× s3rver, ${client} (${mode})`,
      pick: (rows) => find(rows, 's3', `${op} 1 KiB objects, ${metric} (${store})`, 's3rver'),
      use: 'ratio',
      met: (v) => v >= 3,
    })),
  ),
);

export const TARGETS = [
  {
    target: 'API throughput ≥ 8× serverless-offline default (fast channel)',
    pick: (rows) => find(rows, 'api', `requests/s ${FAST}`, SLS_DEFAULT),
    use: 'ratio',
    met: (v) => v >= 8,
  },
  {
    target: 'API throughput ≥ 2× serverless-offline --useInProcess (fast channel)',
    pick: (rows) => find(rows, 'api', `requests/s ${FAST}`, SLS_INPROCESS),
    use: 'ratio',
    met: (v) => v >= 2,
  },
  {
    target: 'API p50 < 2 ms at 50 connections (fast channel)',
    pick: (rows) => find(rows, 'api', `latency p50 ${FAST}`),
    use: 'slipway',
    met: (v) => v < 2,
  },
  {
    target: 'API: < 250 MB RSS in total after the load (fast channel)',
    pick: (rows) => find(rows, 'api', `RSS of the process tree after the load ${FAST}`),
    use: 'slipway',
    met: (v) => v < 250,
  },
  {
    target: 'Warm invoke overhead < 0.5 ms p50 (fast channel)',
    pick: (rows) => find(rows, 'invoke', 'warm invoke overhead p50 (Invoker, fast channel)'),
    use: 'slipway',
    met: (v) => v < 0.5,
  },
  {
    target: 'Node cold start < 100 ms',
    pick: (rows) => find(rows, 'cold', 'NodeNoop cold start to first result (median)'),
    use: 'slipway',
    met: (v) => v < 100,
  },
  {
    target: 'Reload: zero failed requests during a burst of saves under load',
    pick: (rows) => find(rows, 'reload', 'failed requests during a burst of saves under load'),
    use: 'slipway',
    met: (v) => v === 0,
  },
  {
    target: 'S3 PutObject → handler start < 5 ms p50',
    pick: (rows) => find(rows, 'events', 'S3 PutObject → handler start p50'),
    use: 'slipway',
    met: (v) => v < 5,
  },
  {
    target: 'S3 raw HTTP PUT → handler start < 5 ms p50',
    pick: (rows) => find(rows, 'events', 'S3 raw HTTP PUT → handler start p50'),
    use: 'slipway',
    met: (v) => v < 5,
  },
  ...S3_SMALL_OBJECT_TARGETS,
];

/** [{ target, value, use, verdict }] for a run's rows: verdict 'met' | 'not met' | 'not measured'. */
export function checkTargets(rows) {
  return TARGETS.map((t) => {
    const r = t.pick(rows);
    const value = r ? r[t.use] : null;
    const verdict = value == null ? 'not measured' : t.met(value) ? 'met' : 'not met';
    return { target: t.target, value, use: t.use, verdict, row: r };
  });
}
