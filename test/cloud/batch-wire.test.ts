import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from '../../src/lib/cloud/batch-wire.js';

const answer = (boundary: string, parts: { id?: string; status: string; body: string }[]) =>
  parts
    .map(
      (p) =>
        `--${boundary}\r\nContent-Type: application/http\r\n${p.id ? `Content-ID: <${p.id}>\r\n` : ''}\r\nHTTP/1.1 ${p.status}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(p.body)}\r\n\r\n${p.body}\r\n`,
    )
    .join('') + `--${boundary}--\r\n`;

describe('the JSON API batch format', () => {
  it('encodes each call as an application/http part with a Content-ID, path only, JSON body with its length', () => {
    const { contentType, body } = encodeBatch([
      {
        method: 'POST',
        path: '/storage/v1/b/src/o/a%2Fb/rewriteTo/b/dst/o/x?ifGenerationMatch=0',
        json: { contentType: 'application/octet-stream' },
      },
      { method: 'GET', path: '/storage/v1/b/src/o/c' },
    ]);
    const boundary = /boundary=(\S+)/.exec(contentType)![1]!;
    expect(contentType).toMatch(/^multipart\/mixed; boundary=/);
    const text = body.toString();
    const json = '{"contentType":"application/octet-stream"}';
    expect(text).toBe(
      `--${boundary}\r\ncontent-type: application/http\r\ncontent-id: <1>\r\n\r\n` +
        `POST /storage/v1/b/src/o/a%2Fb/rewriteTo/b/dst/o/x?ifGenerationMatch=0 HTTP/1.1\r\naccept: application/json\r\ncontent-type: application/json; charset=UTF-8\r\ncontent-length: ${json.length}\r\n\r\n${json}\r\n` +
        `--${boundary}\r\ncontent-type: application/http\r\ncontent-id: <2>\r\n\r\nGET /storage/v1/b/src/o/c HTTP/1.1\r\naccept: application/json\r\n\r\n\r\n` +
        `--${boundary}--\r\n`,
    );
  });

  it('decodes answers by Content-ID, whatever their order, each with its own status and body', () => {
    const body = answer('batch_x', [
      { id: 'response-2', status: '412 Precondition Failed', body: '{"error":{"code":412}}' },
      { id: 'response-1', status: '200 OK', body: '{"done":true}' },
    ]);
    expect(decodeBatch('multipart/mixed; boundary=batch_x', body, 2)).toEqual([
      { status: 200, text: '{"done":true}' },
      { status: 412, text: '{"error":{"code":412}}' },
    ]);
  });

  it('falls back to part order without Content-IDs, and reports a call left unanswered as a 500', () => {
    const body = answer('b', [{ status: '200 OK', body: '{}' }]);
    const [first, second] = decodeBatch('multipart/mixed; boundary="b"', body, 2);
    expect(first).toEqual({ status: 200, text: '{}' });
    expect(second!.status).toBe(500);
  });

  it('refuses an answer that is not multipart', () => {
    expect(() => decodeBatch('application/json', '{}', 1)).toThrow(/not multipart/);
  });
});
