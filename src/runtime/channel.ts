/**
 * The framed fd-3 fast channel (docs/runtime-protocol.md §2): the same Runtime API messages as the
 * HTTP transport, one frame each:
 *
 *   header length u32BE | body length u32BE | header (UTF-8 JSON) | body (raw bytes)
 *
 * The decoder never copies a frame that arrived whole in one chunk (header and body are views of
 * the socket's chunk), and rejects oversized or malformed frames instead of buffering them.
 */
import type { Socket } from 'node:net';

export const FRAME_PREFIX_BYTES = 8;
export const MAX_FRAME_HEADER_BYTES = 64 * 1024;
/** Above the 6 MB response limit so an oversized response is still read (and reported), bounded. */
export const MAX_FRAME_BODY_BYTES = 32 * 1024 * 1024;

export interface FrameHeader {
  op: string;
  requestId?: string;
  headers?: Record<string, string>;
  /** Optional on response/error: the child's peak RSS (getrusage ru_maxrss), saves a /proc read. */
  maxRssKb?: number;
  /** Optional on response/error: the handler's run time as the runtime measured it, in ms. */
  durationMs?: number;
}

export interface Frame {
  header: FrameHeader;
  body: Buffer;
}

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

const EMPTY = Buffer.alloc(0);
/** Bodies up to this size are copied into the frame so it leaves in one write instead of a writev. */
const SMALL_BODY_BYTES = 64 * 1024;

/** Prefix + header bytes of one frame; the body is written separately (no copy of the body). */
export function encodeFrameHead(header: FrameHeader, bodyLength: number): Buffer {
  const json = JSON.stringify(header);
  const headerLength = Buffer.byteLength(json);
  const head = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + headerLength);
  head.writeUInt32BE(headerLength, 0);
  head.writeUInt32BE(bodyLength, 4);
  head.write(json, FRAME_PREFIX_BYTES, 'utf8');
  return head;
}

export function encodeFrame(header: FrameHeader, body: Buffer = EMPTY): Buffer {
  const json = JSON.stringify(header);
  const headerLength = Buffer.byteLength(json);
  const frame = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + headerLength + body.length);
  frame.writeUInt32BE(headerLength, 0);
  frame.writeUInt32BE(body.length, 4);
  frame.write(json, FRAME_PREFIX_BYTES, 'utf8');
  body.copy(frame, FRAME_PREFIX_BYTES + headerLength);
  return frame;
}

function parseHeader(buf: Buffer, start: number, end: number): FrameHeader {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8', start, end));
  } catch {
    throw new FrameError('frame header is not JSON');
  }
  if (typeof value !== 'object' || value === null || typeof (value as { op?: unknown }).op !== 'string')
    throw new FrameError('frame header has no "op"');
  const header = value as FrameHeader;
  if (header.requestId !== undefined && typeof header.requestId !== 'string')
    throw new FrameError('frame "requestId" is not a string');
  if (header.headers !== undefined && (typeof header.headers !== 'object' || header.headers === null))
    throw new FrameError('frame "headers" is not an object');
  return header;
}

/** Incremental decoder: push socket chunks, get whole frames. Throws FrameError on a malformed stream. */
export class FrameDecoder {
  private parts: Buffer[] = [];
  private buffered = 0;
  private need = FRAME_PREFIX_BYTES;

  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    let buf: Buffer;
    if (this.buffered === 0) {
      buf = chunk;
    } else {
      this.parts.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered < this.need) return;
      buf = Buffer.concat(this.parts, this.buffered);
      this.parts = [];
      this.buffered = 0;
    }
    let off = 0;
    let need = FRAME_PREFIX_BYTES;
    while (buf.length - off >= FRAME_PREFIX_BYTES) {
      const headerLength = buf.readUInt32BE(off);
      const bodyLength = buf.readUInt32BE(off + 4);
      if (headerLength === 0 || headerLength > MAX_FRAME_HEADER_BYTES)
        throw new FrameError(`frame header length ${headerLength} out of range`);
      if (bodyLength > MAX_FRAME_BODY_BYTES)
        throw new FrameError(`frame body length ${bodyLength} over ${MAX_FRAME_BODY_BYTES}`);
      const total = FRAME_PREFIX_BYTES + headerLength + bodyLength;
      if (buf.length - off < total) {
        need = total;
        break;
      }
      const bodyStart = off + FRAME_PREFIX_BYTES + headerLength;
      const header = parseHeader(buf, off + FRAME_PREFIX_BYTES, bodyStart);
      const body = bodyLength === 0 ? EMPTY : buf.subarray(bodyStart, bodyStart + bodyLength);
      off += total;
      onFrame({ header, body });
    }
    if (off < buf.length) {
      const rest = buf.subarray(off);
      this.parts = [rest];
      this.buffered = rest.length;
      this.need = need;
    } else {
      this.need = FRAME_PREFIX_BYTES;
    }
  }
}

/** One end of the channel over a socket (the parent's end of the child's fd 3). */
export class FrameChannel {
  private readonly decoder = new FrameDecoder();
  private closed = false;

  constructor(
    private readonly socket: Socket,
    onFrame: (frame: Frame) => void,
    onError: (err: Error) => void,
  ) {
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      try {
        this.decoder.push(chunk, onFrame);
      } catch (err) {
        this.closed = true;
        onError(err instanceof Error ? err : new FrameError(String(err)));
      }
    });
    // EPIPE / ECONNRESET when the child dies: the child's exit is reported elsewhere.
    socket.on('error', () => {
      this.closed = true;
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  send(header: FrameHeader, body: Buffer = EMPTY): void {
    if (this.closed || this.socket.destroyed) return;
    // One buffer, one write(2) for the usual small frame; a large body is written as it is (no copy).
    if (body.length <= SMALL_BODY_BYTES) {
      this.socket.write(encodeFrame(header, body));
      return;
    }
    const head = encodeFrameHead(header, body.length);
    this.socket.cork();
    this.socket.write(head);
    this.socket.write(body);
    this.socket.uncork();
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }
}
