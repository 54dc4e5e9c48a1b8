export { SecretBox, SecretDecryptionFailed, parseSecretKey, secretKeyFromBytes, generateSecretKeyText } from './secret-box.js';
export type { SecretKey } from './secret-box.js';
export { loadOrCreateSecretKey, SECRET_KEY_FILE } from './key-file.js';
export { AgeError, ageDecrypt, ageEncrypt, ageRecipientOf, armorAge, dearmorAge, generateAgeIdentity, isAgeRecipient, parseAgeKeyFile } from './age.js';
export { KUBERNETES_ENCRYPTED_REGEX, SopsError, isSopsDocument, sopsAgeRecipients, sopsDecryptText, sopsEncrypt, sopsYaml } from './sops.js';
export type { SopsMetadata } from './sops.js';
export { AGE_KEY_FILE, fluxSopsSecretCommand, loadOrCreateAgeKey } from './age-key-file.js';
export type { AgeKey } from './age-key-file.js';
export type { SecretReference, SecretStoreClient, SecretStoreResolver } from './stores/types.js';
