/**
 * XML for the query protocol (SQS-query, SNS) and rest-xml (S3): building with fast-xml-parser's
 * builder (escaping included) and parsing request documents (S3 CompleteMultipartUpload,
 * DeleteObjects, notification configuration).
 */
import type { ServerResponse } from 'node:http';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { AwsError } from '../services/types.ts';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: () => false,
});

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `{ Root: { '@_xmlns': ns, Child: 'text', List: [{...}, {...}] } }` → XML text (arrays repeat the tag). */
export function buildXml(doc: Record<string, unknown>): string {
  return XML_DECLARATION + builder.build(doc);
}

/** Parses an XML request body; malformed XML is AWS's MalformedXML. */
export function parseXml(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (!text.startsWith('<'))
    throw new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  try {
    return parser.parse(text, true) as Record<string, unknown>;
  } catch {
    throw new AwsError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  }
}

/** A value that may be one element or a list (XML repeats tags) as a list. */
export function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export function sendXml(
  res: ServerResponse,
  status: number,
  xml: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
    ...headers,
  });
  res.end(xml);
}
