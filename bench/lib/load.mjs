// A bounded HTTP load with autocannon: fixed duration and connections, loopback only. Latencies are
// taken from autocannon's per-response event (sub-millisecond, every response) rather than its
// histogram, whose resolution is 1 ms.
import autocannon from 'autocannon';
import { CHART_PERCENTILES, percentile } from './stats.mjs';

/**
 * Load `url` for `seconds` with `connections` connections. `guard` (optional) is a guarded process:
 * if its watchdog kills it, the load stops at once. Resolves { rps, p50, p99, percentiles, failed,
 * non2xx, errors, timeouts, requests, seconds, stoppedEarly }.
 */
export function load(url, { seconds = 10, connections = 50, guard } = {}) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const t0 = performance.now();
    let stoppedEarly = null;
    const instance = autocannon({ url, connections, duration: seconds }, (err, result) => {
      clearInterval(poll);
      if (err) return reject(err);
      const elapsed = (performance.now() - t0) / 1000;
      const ok = latencies.length;
      latencies.sort((a, b) => a - b);
      resolve({
        rps: ok / elapsed,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        percentiles: CHART_PERCENTILES.map((p) => ({ p, ms: percentile(latencies, p) })),
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        failed: result.non2xx + result.errors + result.timeouts,
        statusCodes: Object.fromEntries(
          Object.entries(result.statusCodeStats).map(([code, v]) => [code, v.count]),
        ),
        requests: ok,
        seconds: elapsed,
        stoppedEarly,
      });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
    const poll = setInterval(() => {
      if (guard?.killed) {
        stoppedEarly = guard.killed;
        instance.stop();
      }
    }, 100);
  });
}
