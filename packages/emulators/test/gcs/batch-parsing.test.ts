import { describe, expect, it } from 'vitest';
import { encodeBatchAnswers, parseBatch } from '../../src/gcs/batch-multipart.js';
import { FieldMask } from '../../src/gcs/field-mask.js';
import { readPreconditions } from '../../src/gcs/preconditions.js';
import { parseQuery } from '../../src/gcs/query.js';

const part = (head: string, message: string) => `--b\r\n${head}\r\n\r\n${message}\r\n`;
const batch = (...parts: string[]) => Buffer.from(`${parts.join('')}--b--\r\n`);
const failure = (body: Buffer) => {
  try {
    parseBatch(body, 'b');
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
};

describe('parseBatch', () => {
  it('reads each part’s id, request line, headers and body, the body cut to its Content-Length', () => {
    const parts = parseBatch(
      batch(
        part(
          'Content-Type: application/http\r\ncontent-id: <1>',
          'POST /b/x/o/a%2Fb?fields=name HTTP/1.1\r\nContent-Type: application/json\r\nX-A: 1\r\nx-a:  2 \r\ncontent-length: 2\r\n\r\n{}junk',
        ),
        part('content-type: application/http', 'GET /b/x/o/c'),
        part('content-type: application/http', 'DELETE /b/x/o/d HTTP/1.0\r\n\r\nrest'),
      ),
      'b',
    );
    expect(parts.map(({ body, ...p }) => ({ ...p, body: body.toString() }))).toEqual([
      {
        id: '1',
        method: 'POST',
        url: '/b/x/o/a%2Fb?fields=name',
        headers: { 'content-type': 'application/json', 'x-a': '1, 2', 'content-length': '2' },
        body: '{}',
      },
      { id: undefined, method: 'GET', url: '/b/x/o/c', headers: {}, body: '' },
      { id: undefined, method: 'DELETE', url: '/b/x/o/d', headers: {}, body: 'rest' },
    ]);
  });

  it('names what is malformed: part headers, request line, header lines, Content-Length', () => {
    expect(failure(batch(part('content-type: text/plain', 'GET /x')))).toMatch(
      /every part needs Content-Type: application\/http/,
    );
    expect(failure(batch(part('content-type: application/http', 'GET http://h/x')))).toMatch(
      /bad request line "GET http:\/\/h\/x"/,
    );
    expect(failure(batch(part('content-type: application/http', '\r\nGET /x')))).toMatch(/bad request line ""/);
    expect(failure(batch(part('content-type: application/http', 'GET /x\r\nno colon\r\n\r\n')))).toMatch(
      /bad header line "no colon"/,
    );
    expect(failure(batch(part('content-type: application/http', 'GET /x\r\ncontent-length: 9\r\n\r\n{}')))).toMatch(
      /bad Content-Length 9/,
    );
    expect(failure(batch(part('content-type: application/http\r\n:x', 'GET /x')))).toMatch(/bad header line ":x"/);
  });
});

describe('encodeBatchAnswers', () => {
  it('writes string bodies as UTF-8 and buffers as they are, each with its own Content-Length', () => {
    const { contentType, body } = encodeBatchAnswers([
      {
        id: '1',
        status: 200,
        headers: { 'content-type': 'application/json', 'content-length': '99' },
        body: '{"n":"é"}',
      },
      { status: 404, headers: {}, body: Buffer.from('none') },
    ]);
    const boundary = /boundary=(\S+)/.exec(contentType)![1];
    expect(body.toString('utf8')).toBe(
      `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-1>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"n":"é"}\r\n` +
        `--${boundary}\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnone\r\n--${boundary}--\r\n`,
    );
    expect(encodeBatchAnswers([]).body.toString()).toMatch(/^--batch_\S+--\r\n$/);
  });
});

describe('what calls with the same text share', () => {
  it('parses a fields mask once, and refuses a malformed one every time', () => {
    expect(FieldMask.parse('done,resource(name)')).toBe(FieldMask.parse('done,resource(name)'));
    expect(() => FieldMask.parse('items(')).toThrow(/Invalid field selection/);
    expect(() => FieldMask.parse('items(')).toThrow(/Invalid field selection/);
  });

  it('parses a query once, decoding as URLSearchParams does', () => {
    const text = 'fields=a%2Cb(c)&ifGenerationMatch=0&x=%E9+%ZZ';
    expect(parseQuery(text)).toBe(parseQuery(text.slice(0)));
    expect(parseQuery(text).get('fields')).toBe('a,b(c)');
    expect(parseQuery(text).get('x')).toBe(new URLSearchParams(text).get('x'));
    expect(parseQuery('').get('fields')).toBeNull();
  });

  it('reads preconditions once per query, frozen, and rejects a bad one every time', () => {
    const query = parseQuery('ifGenerationMatch=0&ifSourceGenerationMatch=7');
    expect(readPreconditions(query)).toEqual({ ifGenerationMatch: 0 });
    expect(readPreconditions(query, true)).toEqual({ ifGenerationMatch: 7 });
    expect(readPreconditions(query)).toBe(readPreconditions(query));
    expect(Object.isFrozen(readPreconditions(query))).toBe(true);
    const bad = parseQuery('ifGenerationMatch=x');
    expect(() => readPreconditions(bad)).toThrow(/Invalid value for ifGenerationMatch: x/);
    expect(() => readPreconditions(bad)).toThrow(/Invalid value for ifGenerationMatch: x/);
  });
});
