export { ACCOUNT_TYPES, checkCredentials, checkNewAccount, identityOf } from './account-types.js';
export type { AccountType, AccountInput, CheckField } from './account-types.js';
export { accountCredentialsAad, createResourceAccountsService } from './service.js';
export type { ResourceAccountView, ResourceAccountsService, UpdateAccountInput, WriteOptions } from './service.js';
