import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { checkWebhookUrl, deliver, isLinkLocal, signatureHeader } from './delivery.js';

describe('webhook URLs', () => {
  it('accepts http and https, refuses other schemes and credentials', () => {
    assert.equal(checkWebhookUrl('https://hooks.example.com/x', false).host, 'hooks.example.com');
    assert.equal(checkWebhookUrl('http://10.0.0.5:8080/x', false).port, '8080');
    for (const bad of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://x/', 'javascript:alert(1)', 'hooks.example.com/x', 'https://user:pw@example.com/']) {
      assert.throws(() => checkWebhookUrl(bad, false), InvalidInput, bad);
    }
  });

  it('refuses link-local and metadata addresses unless allowed', () => {
    for (const bad of ['http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://[fd00:ec2::254]/', 'http://metadata.google.internal/', 'http://[::ffff:169.254.169.254]/']) {
      assert.throws(() => checkWebhookUrl(bad, false), /link-local or cloud metadata/, bad);
      assert.ok(checkWebhookUrl(bad, true));
    }
    assert.ok(isLinkLocal('169.254.1.1'));
    assert.ok(!isLinkLocal('127.0.0.1'));
    assert.ok(!isLinkLocal('10.1.2.3'));
  });

  it('the signature is HMAC-SHA256 over "<t>.<body>"', () => {
    // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    assert.equal(signatureHeader('secret', '{"a":1}', new Date(1_700_000_000_000)), 't=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686');
    assert.notEqual(signatureHeader('secret', '{"a":1}'), signatureHeader('other', '{"a":1}'));
  });
});

describe('delivering', () => {
  let url = '';
  let mode: 'ok' | 'hang' | 'flood' | 'redirect' = 'ok';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (mode === 'ok') res.writeHead(204).end();
      else if (mode === 'redirect') res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      else if (mode === 'flood') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const write = (): void => {
          while (res.write(chunk));
          res.once('drain', write);
        };
        write();
      }
      // hang: never answer
    });
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const send = (target = url, timeoutMs = 300) => deliver({ url: target, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs, allowLinkLocal: false });

  it('returns the status; does not follow redirects', async () => {
    mode = 'ok';
    assert.deepEqual(await send(), { statusCode: 204 });
    mode = 'redirect';
    assert.deepEqual(await send(), { statusCode: 302 });
  });

  // The error names the time limit, so the timer ended the request. Should the timer never fire, the hung request
  // would wait forever: the test's own timeout then fails it instead of hanging the run.
  it('gives up after the timeout', { timeout: 60_000 }, async () => {
    mode = 'hang';
    const result = await send();
    assert.match(result.error ?? '', /no answer within 300 ms/);
  });

  // The answer never ends, so without the size cap the request would last until its time limit, set to 60 s here;
  // ending well before that (20 s leaves room for a loaded machine) shows the cap cut it off.
  it('stops reading an endless answer', async () => {
    mode = 'flood';
    const started = Date.now();
    assert.deepEqual(await send(url, 60_000), { statusCode: 200 });
    assert.ok(Date.now() - started < 20_000, `it did not wait for the end of the answer (took ${Date.now() - started} ms)`);
  });

  it('refuses a link-local address at delivery time', async () => {
    const result = await send('http://169.254.169.254/latest/meta-data/');
    assert.match(result.error ?? '', /link-local/);
  });
});
