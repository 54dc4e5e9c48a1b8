/**
 * HMAC-SHA-256 behind an object that never gives its key away: no accessor, `toJSON` and `util.inspect` print a
 * placeholder, so a hasher carried in a context object cannot leak the key through a log line or a response.
 */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';

export class KeyedHasher {
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    // HMAC accepts any key; a short one would make the hashes guessable again, which is what the key is there to stop.
    if (key.length < 32) throw new Error(`a hash key must be at least 32 bytes (got ${key.length})`);
    this.#key = Buffer.from(key);
  }

  /** HMAC-SHA-256 of `text` (UTF-8), lower-case hex. */
  hex(text: string): string {
    return createHmac('sha256', this.#key).update(text, 'utf8').digest('hex');
  }

  toJSON(): string {
    return '[keyed hasher]';
  }

  [inspect.custom](): string {
    return 'KeyedHasher [key hidden]';
  }
}
