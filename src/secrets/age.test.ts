import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AgeError, ageDecrypt, ageEncrypt, ageRecipientOf, armorAge, dearmorAge, generateAgeIdentity, isAgeRecipient, parseAgeKeyFile } from './age.js';

// The Debian `age` package (apt-get install age; .ci/run installs it): the reference implementation's CLI.
const dir = mkdtempSync(join(tmpdir(), 'baton-age-'));

test('a generated identity has the recipient age-keygen derives from it', () => {
  const { identity, recipient } = generateAgeIdentity();
  assert.match(identity, /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
  assert.match(recipient, /^age1[0-9a-z]{58}$/);
  assert.equal(ageRecipientOf(identity), recipient);
  const keyFile = join(dir, 'derive.key');
  writeFileSync(keyFile, `${identity}\n`);
  assert.equal(execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim(), recipient);
  assert.ok(isAgeRecipient(recipient));
  assert.ok(!isAgeRecipient(recipient.slice(0, -1) + (recipient.endsWith('q') ? 'p' : 'q')), 'a changed checksum character is refused');
});

test('what this module encrypts, the age command decrypts (binary and armored, several recipients, several chunks)', () => {
  const mine = generateAgeIdentity();
  const other = generateAgeIdentity();
  const keyFile = join(dir, 'mine.key');
  writeFileSync(keyFile, `# created by a test\n${mine.identity}\n`);
  for (const size of [0, 32, 64 * 1024, 64 * 1024 + 1, 200_000]) {
    const plaintext = randomBytes(size);
    const file = join(dir, `enc-${size}.age`);
    writeFileSync(file, ageEncrypt(plaintext, [other.recipient, mine.recipient]));
    assert.deepEqual(execFileSync('age', ['--decrypt', '-i', keyFile, file]), plaintext, `size ${size}`);
  }
  const armored = join(dir, 'armored.age');
  writeFileSync(armored, armorAge(ageEncrypt(Buffer.from('hello age'), [mine.recipient])));
  assert.equal(execFileSync('age', ['--decrypt', '-i', keyFile, armored], { encoding: 'utf8' }), 'hello age');
});

test('what the age command encrypts, this module decrypts; a wrong identity or a flipped byte is refused', () => {
  const mine = generateAgeIdentity();
  const plainFile = join(dir, 'plain.bin');
  const plaintext = randomBytes(70_000);
  writeFileSync(plainFile, plaintext);
  const encrypted = execFileSync('age', ['--encrypt', '-r', mine.recipient, plainFile]);
  assert.deepEqual(ageDecrypt(encrypted, [generateAgeIdentity().identity, mine.identity]), plaintext);
  const armored = execFileSync('age', ['--encrypt', '--armor', '-r', mine.recipient, plainFile], { encoding: 'utf8' });
  assert.deepEqual(ageDecrypt(dearmorAge(armored), [mine.identity]), plaintext);

  assert.throws(() => ageDecrypt(encrypted, [generateAgeIdentity().identity]), AgeError);
  const tampered = Buffer.from(encrypted);
  tampered[tampered.length - 100] = (tampered[tampered.length - 100] as number) ^ 1;
  assert.throws(() => ageDecrypt(tampered, [mine.identity]), /authentication/);
});

test('an age-keygen key file parses; garbage is refused without echoing it', () => {
  const keyFile = join(dir, 'keygen.key');
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const identities = parseAgeKeyFile(readFileSync(keyFile, 'utf8'));
  assert.equal(identities.length, 1);
  const publicLine = readFileSync(keyFile, 'utf8').match(/public key: (age1\S+)/)?.[1];
  assert.equal(ageRecipientOf(identities[0] as string), publicLine);
  assert.throws(
    () => parseAgeKeyFile('AGE-SECRET-KEY-1NOTAKEY-hunter2'),
    (error: Error) => error instanceof AgeError && !error.message.includes('hunter2'),
  );
});
