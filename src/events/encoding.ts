/** The encodings AWS applies inside event payloads. */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * S3 event notifications carry the object key URL-encoded the way HTML forms are
 * (`application/x-www-form-urlencoded`): "red flower.jpg" becomes "red+flower.jpg", "a=b" becomes
 * "a%3Db", UTF-8 bytes are percent-encoded with upper-case hex. `/` is kept as is (keys such as
 * `uploads/2024/a.txt` arrive unchanged), and so are the characters Java's URLEncoder keeps:
 * letters, digits, `.`, `-`, `_` and `*`. Decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function encodeS3EventKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-_*/]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of {@link encodeS3EventKey}, as handlers do it. */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** Hex MD5 of the UTF-8 string, as SQS's `md5OfBody`. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export function base64(text: string | Buffer): string {
  return (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('base64');
}

/** CloudWatch Logs subscription payload: base64 of the gzip of the JSON document. */
export function gzipBase64Json(value: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(value), 'utf8')).toString('base64');
}

export function gunzipBase64Json(data: string): unknown {
  return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
}
