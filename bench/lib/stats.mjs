// Small statistics and the result row every scenario returns.

export const sortNum = (xs) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null;
export const median = (xs) => percentile(sortNum(xs), 50);

/** The percentiles the latency charts draw. */
export const CHART_PERCENTILES = [1, 10, 25, 50, 75, 90, 95, 99, 99.9];

/**
 * One figure: Slipway's value beside one peer's. `ratio` = slipway ÷ peer. A peer that could not be
 * measured carries peerValue null and its reason in `note`.
 */
export function row(scenario, metric, unit, slipway, peer = null, peerValue = null, note) {
  const r = {
    scenario,
    metric,
    unit,
    slipway: slipway ?? null,
    peer,
    peerValue: peerValue ?? null,
    ratio: peer && slipway != null && peerValue ? slipway / peerValue : null,
  };
  if (note) r.note = note;
  return r;
}

/** Higher is better for rates; lower for times, sizes and counts. */
export const higherIsBetter = (unit) => /\/s$/.test(unit);

/** Elapsed milliseconds since a process.hrtime.bigint() mark. */
export const since = (t) => Number(process.hrtime.bigint() - t) / 1e6;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
