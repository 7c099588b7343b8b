/**
 * Decoding of the `aws-chunked` content encoding the SDKs use for streaming uploads
 * (`x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`, `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`,
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`):
 *
 *   <hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
 *   [<trailer-name>:<value>\r\n ...]\r\n
 *
 * The decoder streams: data slices are yielded as they arrive, never the whole body. Chunk
 * signatures are not verified (Slipway accepts any credentials).
 */
import { AwsError } from '../types.ts';

const MAX_LINE = 16 * 1024;

const incomplete = (): AwsError =>
  new AwsError('IncompleteBody', 'The request body terminated unexpectedly', 400);

/** Yields the decoded payload; fills `trailers` (lower-case names) once the stream ends. */
export async function* decodeAwsChunked(
  source: AsyncIterable<Buffer>,
  trailers: Record<string, string>,
): AsyncGenerator<Buffer> {
  let buf: Buffer = Buffer.alloc(0);
  let remaining = 0;
  let state: 'header' | 'data' | 'crlf' | 'trailer' | 'done' = 'header';
  for await (const piece of source) {
    buf = buf.length === 0 ? piece : Buffer.concat([buf, piece]);
    for (;;) {
      if (state === 'done') {
        buf = Buffer.alloc(0);
        break;
      }
      if (state === 'data') {
        if (buf.length === 0) break;
        const n = Math.min(remaining, buf.length);
        yield buf.subarray(0, n);
        buf = buf.subarray(n);
        remaining -= n;
        if (remaining === 0) state = 'crlf';
        continue;
      }
      if (state === 'crlf') {
        if (buf.length < 2) break;
        if (buf[0] !== 13 || buf[1] !== 10) throw invalidChunk();
        buf = buf.subarray(2);
        state = 'header';
        continue;
      }
      const eol = buf.indexOf('\r\n');
      if (eol === -1) {
        if (buf.length > MAX_LINE) throw invalidChunk();
        break;
      }
      const line = buf.subarray(0, eol).toString('latin1');
      buf = buf.subarray(eol + 2);
      if (state === 'header') {
        const sizeText = line.split(';', 1)[0]!.trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(sizeText)) throw invalidChunk();
        const size = parseInt(sizeText, 16);
        if (size === 0) state = 'trailer';
        else {
          remaining = size;
          state = 'data';
        }
      } else if (line === '') {
        state = 'done';
      } else {
        const colon = line.indexOf(':');
        if (colon <= 0) throw invalidChunk();
        trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    }
  }
  const ended: string = state;
  if (ended !== 'done' && ended !== 'trailer') throw incomplete();
}

function invalidChunk(): AwsError {
  return new AwsError('InvalidRequest', 'Invalid aws-chunked encoding in the request body.', 400);
}

/** True when the request body uses the aws-chunked framing. */
export function isAwsChunked(
  contentEncoding: string | undefined,
  contentSha256: string | undefined,
): boolean {
  if (contentSha256?.startsWith('STREAMING-')) return true;
  return (contentEncoding ?? '').split(',').some((e) => e.trim().toLowerCase() === 'aws-chunked');
}

/** The Content-Encoding to store: aws-chunked is transport framing, not the object's encoding. */
export function storedContentEncoding(contentEncoding: string | undefined): string | undefined {
  if (contentEncoding === undefined) return undefined;
  const rest = contentEncoding
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e.toLowerCase() !== 'aws-chunked');
  return rest.length ? rest.join(',') : undefined;
}
