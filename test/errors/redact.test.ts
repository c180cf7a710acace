import { describe, expect, it } from 'vitest';
import { redact } from '../../src/lib/errors/redact.js';
import { renderError, renderStack } from '../../src/lib/errors/render.js';

// What reaches the redactor: MongoDB driver messages (MongoParseError texts are from the Node.js driver's
// src/connection_string.ts), Node's fs errors (`ENOENT: no such file or directory, open '<path>'`), HTTP
// client errors carrying request URLs and headers, and stacks that repeat all of these.

describe('the redactor hides credentials in URIs', () => {
  it('hides the user and the password of a MongoDB URI, and keeps the hosts', () => {
    expect(redact('cannot reach mongodb://admin:hunter2@db.internal:27017/x')).toBe(
      'cannot reach mongodb://***@db.internal:27017/x',
    );
    expect(redact('mongodb+srv://gw:p%40ss@cluster0.ab1cd.mongodb.net/?retryWrites=true')).toBe(
      'mongodb+srv://***@cluster0.ab1cd.mongodb.net/?retryWrites=true',
    );
    expect(redact('mongodb://gwadmin@db:27017')).toBe('mongodb://***@db:27017'); // a user name alone too
  });

  it('hides a password holding an unescaped @ or / whole, not up to its first @', () => {
    const shown = redact('mongodb://gw:p@ss/w0rd@h1:1,h2:2/db?replicaSet=rs0');
    expect(shown).toBe('mongodb://***@h1:1,h2:2/db?replicaSet=rs0');
    expect(redact('mongodb://gw:a,b)c@h/db')).toBe('mongodb://***@h/db');
  });

  it('hides a URI that path normalisation turned into mongodb:/user:password@host', () => {
    expect(redact("ENOENT: no such file or directory, open 'mongodb:/admin:hunter2@db:27017/x'")).toBe(
      "ENOENT: no such file or directory, open 'mongodb:/***@db:27017/x'",
    );
  });

  it('hides secret query parameters and keeps the others', () => {
    expect(
      redact(
        'mongodb://h/db?authSource=admin&authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:abc&tlsCertificateKeyFilePassword=xyz&proxyPassword=p&proxyUsername=u',
      ),
    ).toBe(
      'mongodb://h/db?authSource=admin&authMechanism=MONGODB-AWS&authMechanismProperties=***&tlsCertificateKeyFilePassword=***&proxyPassword=***&proxyUsername=***',
    );
    expect(
      redact(
        'GET https://storage.googleapis.com/b/o?X-Goog-Credential=sa%40p.iam&X-Goog-Signature=abc&X-Goog-Expires=60',
      ),
    ).toBe('GET https://storage.googleapis.com/b/o?X-Goog-Credential=***&X-Goog-Signature=***&X-Goog-Expires=60');
    expect(redact('https://example.com/v1?key=AIzaSyExample&alt=json')).toBe('https://example.com/v1?key=***&alt=json');
  });

  it('leaves URIs without credentials as they are, @ in object names included', () => {
    for (const text of [
      'gs://relaycorp-gateway-prod-vault/keys/a@b.json not found',
      'see https://docs.example.com/a?b=c#frag for help',
      'https://poweb.prod.gateway.example/v1/parcels answered 401',
    ])
      expect(redact(text)).toBe(text);
  });
});

describe('the redactor hides secrets outside URIs', () => {
  it('hides secret-named assignments and JSON members', () => {
    expect(redact('password=hunter2 user=admin mode=fast authSource=admin')).toBe(
      'password=*** user=*** mode=fast authSource=admin',
    );
    expect(redact('{"password": "hunter2", "name": "x", "private_key": "-----BEGIN PRIVATE KEY-----\\nabc"}')).toBe(
      '{"password": "***", "name": "x", "private_key": "***"}',
    );
  });

  it('hides tokens and keys by their form', () => {
    expect(redact('Authorization: Bearer ya29.a0AfH6SMBx-abcdef')).toBe('Authorization: Bearer ***');
    expect(redact('Authorization: Basic dXNlcjpwYXNzd29yZA==')).toBe('Authorization: Basic ***');
    expect(redact('token ya29.a0AfH6SMBx-abcdef expired')).toBe('token *** expired');
    expect(redact('jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc')).toBe('jwt ***');
    expect(redact('-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----')).toBe(
      '-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----',
    );
  });

  it('does not mangle messages that merely name a secret', () => {
    for (const text of [
      'Password contains unescaped characters',
      'Username contains unescaped characters',
      'the token expired; Bearer token missing',
      'Authentication failed.',
      'secret "gateway-keys" not found in namespace default',
      'check the user and password in $PROD_MONGODB_URI',
    ])
      expect(redact(text)).toBe(text);
  });
});

describe('errors as printed', () => {
  const uri = 'mongodb://gwadmin:hunter2@db.internal:27017/awala';

  it('one line and the --json envelope carry no credentials', () => {
    const { message } = renderError(new Error(`MongoServerSelectionError: ${uri}\n    at connect`));
    expect(message).toBe('MongoServerSelectionError: mongodb://***@db.internal:27017/awala at connect');
  });

  it('the GWCTL_DEBUG=1 stack carries none either, nor its causes', () => {
    const err = new Error('cannot connect', { cause: new Error(`failed: ${uri}`) });
    const stack = renderStack(err);
    expect(stack).toMatch(/^Error: cannot connect\n\s+at /);
    expect(stack).toContain('caused by: Error: failed: mongodb://***@db.internal:27017/awala');
    expect(stack).not.toMatch(/gwadmin|hunter2/);
  });
});
