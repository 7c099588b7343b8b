// The bootstrap's end of the Runtime API: the framed fd channel when SLIPWAY_RUNTIME_FD is set,
// otherwise real HTTP to AWS_LAMBDA_RUNTIME_API (docs/runtime-protocol.md). Plain JS: it runs in
// the child without any loader.
import { Socket } from 'node:net';
import process from 'node:process';
import { setImmediate } from 'node:timers';

const API = '/2018-06-01/runtime';
const HEADER_NAMES = [
  'Lambda-Runtime-Aws-Request-Id',
  'Lambda-Runtime-Deadline-Ms',
  'Lambda-Runtime-Invoked-Function-Arn',
  'Lambda-Runtime-Trace-Id',
  'Lambda-Runtime-Client-Context',
  'Lambda-Runtime-Cognito-Identity',
];

function frameHead(header, bodyLength) {
  const json = JSON.stringify(header);
  const len = Buffer.byteLength(json);
  const head = Buffer.allocUnsafe(8 + len);
  head.writeUInt32BE(len, 0);
  head.writeUInt32BE(bodyLength, 4);
  head.write(json, 8, 'utf8');
  return head;
}

class FdTransport {
  constructor(fd) {
    this.socket = new Socket({ fd, readable: true, writable: true });
    this.socket.unref();
    this.waiter = undefined;
    this.parts = [];
    this.buffered = 0;
    this.socket.on('data', (chunk) => this.onData(chunk));
    // Slipway went away: nothing left to do.
    const gone = () => process.exit(0);
    this.socket.on('end', gone);
    this.socket.on('error', gone);
  }

  onData(chunk) {
    let buf = chunk;
    if (this.buffered > 0) {
      this.parts.push(chunk);
      buf = Buffer.concat(this.parts, this.buffered + chunk.length);
      this.parts = [];
      this.buffered = 0;
    }
    let off = 0;
    while (buf.length - off >= 8) {
      const hl = buf.readUInt32BE(off);
      const bl = buf.readUInt32BE(off + 4);
      const total = 8 + hl + bl;
      if (buf.length - off < total) break;
      const header = JSON.parse(buf.toString('utf8', off + 8, off + 8 + hl));
      const body = buf.subarray(off + 8 + hl, off + total);
      off += total;
      if (header.op === 'invocation') this.deliver({ headers: header.headers ?? {}, body });
    }
    if (off < buf.length) {
      const rest = buf.subarray(off);
      this.parts = [rest];
      this.buffered = rest.length;
    }
  }

  deliver(invocation) {
    const waiter = this.waiter;
    this.waiter = undefined;
    // While the handler runs, the channel must not keep the event loop alive
    // (callbackWaitsForEmptyEventLoop watches for an empty loop).
    this.socket.unref();
    waiter?.(invocation);
  }

  send(header, body, done) {
    const b = body ?? Buffer.alloc(0);
    this.socket.cork();
    this.socket.write(frameHead(header, b.length));
    if (b.length > 0) this.socket.write(b, done);
    else if (done) this.socket.write(Buffer.alloc(0), done);
    this.socket.uncork();
  }

  corked = false;

  next() {
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.socket.ref();
      this.send({ op: 'next' });
      this.uncork();
    });
  }

  /** The answer and the following `next` leave in one write (uncorked by next(), or soon after). */
  corkUntilNextTick() {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    setImmediate(() => this.uncork());
  }

  uncork() {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  respond(requestId, body, durationMs) {
    this.corkUntilNextTick();
    this.send({ op: 'response', requestId, maxRssKb: process.resourceUsage().maxRSS, durationMs }, body);
    return Promise.resolve();
  }

  error(requestId, payload, durationMs) {
    this.corkUntilNextTick();
    this.send(
      {
        op: 'error',
        requestId,
        headers: { 'Lambda-Runtime-Function-Error-Type': payload.errorType },
        maxRssKb: process.resourceUsage().maxRSS,
        durationMs,
      },
      Buffer.from(JSON.stringify(payload)),
    );
    return Promise.resolve();
  }

  /** Resolves once written (the caller exits next). */
  flushError(requestId, payload) {
    return new Promise((resolve) => {
      const header = requestId
        ? { op: 'error', requestId, headers: { 'Lambda-Runtime-Function-Error-Type': payload.errorType } }
        : { op: 'init-error', headers: { 'Lambda-Runtime-Function-Error-Type': payload.errorType } };
      this.send(header, Buffer.from(JSON.stringify(payload)), () => resolve());
    });
  }

  initError(payload) {
    return this.flushError(undefined, payload);
  }
}

// node:http is loaded only by the HTTP transport: the fd channel does without its ~2.6 MB and its
// load time in every environment.
let httpModule;

class HttpTransport {
  constructor(address) {
    const i = address.lastIndexOf(':');
    this.host = address.slice(0, i);
    this.port = Number(address.slice(i + 1));
    this.agent = undefined;
  }

  async request(method, path, headers, body) {
    const http = (await (httpModule ??= import('node:http'))).default;
    this.agent ??= new http.Agent({ keepAlive: true, maxSockets: 1 });
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.host, port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const parts = [];
          res.on('data', (c) => parts.push(c));
          res.on('end', () => {
            // Idle keep-alive socket: must not hold the event loop during the handler.
            res.socket?.unref();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) });
          });
          res.on('error', reject);
        },
      );
      req.on('socket', (s) => s.ref());
      req.on('error', reject);
      req.end(body);
    });
  }

  async next() {
    let res;
    try {
      res = await this.request('GET', `${API}/invocation/next`, {});
    } catch {
      process.exit(0); // Slipway went away.
    }
    if (res.status !== 200) {
      process.stderr.write(`runtime: next returned ${res.status}: ${res.body.toString()}\n`);
      process.exit(1);
    }
    const headers = {};
    for (const name of HEADER_NAMES) {
      const v = res.headers[name.toLowerCase()];
      if (v !== undefined) headers[name] = Array.isArray(v) ? v[0] : v;
    }
    return { headers, body: res.body };
  }

  async post(path, body, errorType, durationMs) {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length };
    if (errorType) headers['Lambda-Runtime-Function-Error-Type'] = errorType;
    if (durationMs !== undefined) headers['Slipway-Function-Duration-Ms'] = durationMs.toFixed(3);
    try {
      await this.request('POST', path, headers, body);
    } catch {
      process.exit(0);
    }
  }

  respond(requestId, body, durationMs) {
    return this.post(
      `${API}/invocation/${encodeURIComponent(requestId)}/response`,
      body,
      undefined,
      durationMs,
    );
  }

  error(requestId, payload, durationMs) {
    return this.post(
      `${API}/invocation/${encodeURIComponent(requestId)}/error`,
      Buffer.from(JSON.stringify(payload)),
      payload.errorType,
      durationMs,
    );
  }

  flushError(requestId, payload) {
    return requestId ? this.error(requestId, payload) : this.initError(payload);
  }

  initError(payload) {
    return this.post(`${API}/init/error`, Buffer.from(JSON.stringify(payload)), payload.errorType);
  }
}

export function createTransport(env) {
  if (env.SLIPWAY_RUNTIME_FD) return new FdTransport(Number(env.SLIPWAY_RUNTIME_FD));
  return new HttpTransport(env.AWS_LAMBDA_RUNTIME_API ?? '127.0.0.1:9001');
}
