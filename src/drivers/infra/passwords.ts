import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random password from a CSPRNG. Letters and digits only, so it is safe inside connection URLs,
 * shell-free config files and every server's password syntax without escaping; 32 characters of
 * a 62-symbol alphabet give ~190 bits. `randomInt` is unbiased (no modulo skew).
 */
export function generatePassword(length = 32): string {
  let password = '';
  for (let i = 0; i < length; i += 1) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}
