// A light S3 client: raw `http.request` over keep-alive connections, no SDK, so a server's own
// capacity shows rather than the SDK's per-request CPU. PUT sends the body as is (no aws-chunked
// framing, no checksum); `headers` carries what a server needs to accept the request: nothing for
// s3rver (it serves anonymous requests and would verify a signature), a fixed SigV4-shaped
// Authorization header for moto and Slipway (neither verifies signatures; moto refuses anonymous
// GETs).
import http from 'node:http';

export const FAKE_SIGV4 = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/s3/aws4_request, ' +
    `SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
  'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
  'x-amz-date': '20260101T000000Z',
};

/** One request; resolves the response body's length, rejects on a non-2xx status. */
function request(agent, url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, method, headers }, (res) => {
      let n = 0;
      res.on('data', (c) => (n += c.length));
      res.on('end', () =>
        res.statusCode >= 200 && res.statusCode < 300
          ? resolve(n)
          : reject(new Error(`${method} ${url}: HTTP ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A light client bound to `endpoint` with `connections` keep-alive sockets:
 * { createBucket(b), put(b, k, body), get(b, k) → bytes, close() }.
 */
export function lightClient(endpoint, { connections, headers = {} }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const url = (bucket, key = '') => `${endpoint}/${bucket}${key ? `/${encodeURIComponent(key)}` : ''}`;
  return {
    createBucket: (bucket) => request(agent, url(bucket), 'PUT', { ...headers, 'content-length': 0 }),
    put: (bucket, key, body) =>
      request(agent, url(bucket, key), 'PUT', { ...headers, 'content-length': body.length }, body),
    get: (bucket, key) => request(agent, url(bucket, key), 'GET', headers),
    close: () => agent.destroy(),
  };
}
