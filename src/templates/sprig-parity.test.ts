/**
 * sprig parity (issues #18, #26): every sprig v3 function name exists, and sprig's own test tables
 * (test/fixtures/sprig/cases.json, translated from Masterminds/sprig's *_test.go; SOURCES.md) pass. The Go oracle has
 * no sprig, so these expectations come from sprig's tests, not from running Go.
 */
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import bcryptjs from 'bcryptjs';
import { DEFAULT_TEMPLATE_LIMITS, renderTemplate, TemplateError, TemplateLimitExceeded, templateFunctionNames } from './index.js';

const fixtures = new URL('../../test/fixtures/sprig/', import.meta.url);
const sprigNames = readFileSync(new URL('functions.txt', fixtures), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'));

interface SprigCase {
  source: string;
  template: string;
  data?: unknown;
  expected?: string;
  error?: boolean;
  check?: string;
  deviation?: string;
  baton?: string;
}
const cases = JSON.parse(readFileSync(new URL('cases.json', fixtures), 'utf8')) as SprigCase[];

/** Slow functions (RSA keys, scrypt, bcrypt) on a busy machine: the limits a test grants them. */
const slow = { limits: { ...DEFAULT_TEMPLATE_LIMITS, timeoutMs: 60_000 } };

test('every sprig v3 function name is in the function table', () => {
  assert.ok(sprigNames.length >= 200, `functions.txt lists ${sprigNames.length} names`);
  const have = new Set(templateFunctionNames());
  const missing = sprigNames.filter((name) => !have.has(name));
  assert.deepEqual(missing, [], `sprig functions missing from Baton: ${missing.join(' ')}`);
});

describe('sprig test tables (Masterminds/sprig @ 989da45)', () => {
  cases.forEach((c, i) => {
    test(`${c.source} #${i}: ${c.template.slice(0, 80)}`, () => {
      const render = (): string => renderTemplate(c.template, c.data ?? {}, slow);
      if (c.error === true || c.check === 'error') {
        assert.throws(render, TemplateError);
        return;
      }
      const out = render();
      if (c.check === 'permutation') {
        const source = /"([^"]*)"/.exec(c.template)![1]!;
        assert.deepEqual(Array.from(out).sort(), Array.from(source).sort());
        return;
      }
      if (c.check === 'htpasswd') {
        const data = c.data as { Username: string; Password: string; HashAlgorithm: string };
        const [user, hash] = [out.slice(0, out.indexOf(':')), out.slice(out.indexOf(':') + 1)];
        assert.equal(user, data.Username);
        if (data.HashAlgorithm === 'sha') assert.equal(hash, '{SHA}' + createHash('sha1').update(data.Password).digest('base64'));
        else {
          assert.match(hash, /^\$2a\$10\$/);
          assert.ok(bcryptjs.compareSync(data.Password, hash));
        }
        return;
      }
      if (c.check?.startsWith('bcrypt:') === true) {
        assert.match(out, /^\$2a\$10\$.{53}$/);
        assert.ok(bcryptjs.compareSync(c.check.slice(7), out));
        return;
      }
      assert.equal(out, c.deviation !== undefined ? c.baton : c.expected);
    });
  });
});

describe('crypto functions produce what Go would accept', () => {
  test('genCA and genSignedCert: an X.509 chain that verifies, with SANs and key usages', () => {
    const out = renderTemplate(
      '{{ $ca := genCA "baton-ca" 365 }}{{ $c := genSignedCert "svc.example.com" (list "10.0.0.1" "::1") (list "svc.example.com" "svc") 30 $ca }}{{ $ca.Cert }}|{{ $c.Cert }}|{{ $c.Key }}',
      {},
      slow,
    );
    const [caPem, certPem, keyPem] = out.split('|') as [string, string, string];
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(certPem);
    assert.equal(ca.subject, 'CN=baton-ca');
    assert.equal(ca.ca, true);
    assert.ok(ca.verify(ca.publicKey), 'the CA is self-signed');
    assert.equal(cert.ca, false);
    assert.equal(cert.issuer, 'CN=baton-ca');
    assert.ok(cert.verify(ca.publicKey), 'the certificate is signed by the CA');
    assert.ok(cert.checkIssued(ca));
    assert.equal(cert.subjectAltName, 'DNS:svc.example.com, DNS:svc, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.ok(Math.abs(days - 30) < 1 / 24, `valid for ${days} days`);
    assert.match(keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.ok(cert.checkPrivateKey(createPrivateKey(keyPem)));
  });

  test('the WithKey variants and genSelfSignedCert use the given key (EC and Ed25519 too)', () => {
    for (const type of ['ecdsa', 'ed25519']) {
      const out = renderTemplate(
        `{{ $k := genPrivateKey "${type}" }}{{ $ca := genCAWithKey "ca" 10 $k }}{{ $s := genSelfSignedCertWithKey "self" nil (list "a.example") 10 $k }}{{ $c := genSignedCertWithKey "leaf" nil nil 10 $ca $k }}{{ $k }}|{{ $ca.Cert }}|{{ $s.Cert }}|{{ $c.Cert }}|{{ $c.Key }}`,
        {},
        slow,
      );
      const [key, caPem, selfPem, leafPem, leafKey] = out.split('|') as [string, string, string, string, string];
      const pub = createPublicKey(key);
      const ca = new X509Certificate(caPem);
      assert.ok(ca.verify(pub), type);
      assert.ok(new X509Certificate(selfPem).verify(pub), type);
      assert.ok(new X509Certificate(leafPem).verify(ca.publicKey), type);
      assert.equal(leafKey, key, `${type}: the leaf carries the given key`);
    }
    assert.match(renderTemplate('{{ genPrivateKey "ecdsa" }}', {}, slow), /^-----BEGIN EC PRIVATE KEY-----\n[\s\S]+-----END EC PRIVATE KEY-----\n$/);
    assert.match(renderTemplate('{{ genPrivateKey "nope" }}', {}), /^Unknown type nope$/);
  });

  test('buildCustomCert checks and returns the decoded certificate and key', () => {
    const out = renderTemplate('{{ $k := genPrivateKey "ecdsa" }}{{ $c := genSelfSignedCertWithKey "x" nil nil 1 $k }}{{ $b := buildCustomCert ($c.Cert | b64enc) ($c.Key | b64enc) }}{{ eq $b.Cert $c.Cert }} {{ eq $b.Key $k }}', {}, slow);
    assert.equal(out, 'true true');
    assert.throws(() => renderTemplate('{{ buildCustomCert "bm90IGEgY2VydA==" "eA==" }}', {}), /unable to decode certificate/);
  });

  test('encryptAES output is AES-256-CBC with the IV first, as sprig writes it', () => {
    const out = renderTemplate('{{ encryptAES "secretkey" "plaintext" }}', {});
    assert.equal(Buffer.from(out, 'base64').length, 32);
    assert.equal(renderTemplate(`{{ decryptAES "secretkey" "${out}" }}`, {}), 'plaintext');
    assert.equal(renderTemplate('{{ encryptAES "k" "" }}|{{ decryptAES "k" "" }}', {}), '|');
  });

  test('getHostByName resolves through the system resolver', () => {
    assert.match(renderTemplate('{{ getHostByName "localhost" }}', {}), /^(127\.0\.0\.1|::1)$/);
  });
});

describe('new functions stay inside the render limits and away from prototypes', () => {
  const tight = { limits: { maxSteps: 10_000, maxOutput: 10_000, timeoutMs: 2_000 } };

  test('randBytes, wrapWith and chunk ask the budget before they allocate', () => {
    for (const source of ['{{ randBytes 100000000 }}', '{{ wrapWith 1 "----------" (repeat 5000 "a ") }}', '{{ chunk 1 (until 9000) }}']) {
      assert.throws(() => renderTemplate(source, {}, tight), TemplateLimitExceeded, source);
    }
  });

  // Key generation runs on a worker; the render waits for it at most its remaining time. The error naming the
  // operation it was waiting for shows that wait was cut at the limit (a render that waited for the keys would end
  // without error: its few steps never read the clock). No clock here: one 4096-bit key can take 200 ms or 2 s.
  test('a slow function cannot hold a render past its time limit', () => {
    assert.throws(
      () => renderTemplate('{{ genPrivateKey "rsa" }}{{ genPrivateKey "rsa" }}{{ genPrivateKey "rsa" }}', {}, { limits: { ...DEFAULT_TEMPLATE_LIMITS, timeoutMs: 200 } }),
      (error: unknown) => {
        assert.ok(error instanceof TemplateLimitExceeded, String(error));
        assert.equal(error.limit, 'time');
        assert.match(error.message, /time limit .* while running generateKeyPair/);
        return true;
      },
    );
  });

  test('keys named __proto__ or constructor are plain map keys', () => {
    const out = renderTemplate(
      '{{ $d := dict "__proto__" (dict "polluted" "yes") "constructor" "c" }}{{ $_ := set $d "__proto__" (dict "polluted" "again") }}{{ $m := merge (dict) $d (fromJson "{\\"__proto__\\":{\\"polluted\\":1}}") }}{{ $d.polluted }} {{ keys $d }} {{ $m.polluted }} {{ (dict).constructor }} {{ get (dict) "constructor" }}|{{ hasKey (dict) "constructor" }} {{ index (dict) "__proto__" }}',
      {},
    );
    assert.equal(out, '<no value> [__proto__ constructor] <no value> <no value> |false <no value>');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(Object.prototype), null);
  });
});
