export { SecretBox, SecretDecryptionFailed, parseSecretKey, secretKeyFromBytes, generateSecretKeyText } from './secret-box.js';
export type { SecretKey } from './secret-box.js';
export { loadOrCreateSecretKey, SECRET_KEY_FILE } from './key-file.js';
