import type { CallScope } from './http-client.js';
import type { AccountRecord } from './records.js';
import type { BoundReader, ResourceReader } from './resource.js';

/**
 * The accounts service, for one request: accounts. (It also issues development tokens and
 * publishes their keys; the BFF only reads the keys, through `auth/token-verifier.ts`.)
 */
export class AccountsClient {
  readonly accounts: BoundReader<AccountRecord>;

  constructor(accounts: ResourceReader<AccountRecord>, scope: CallScope) {
    this.accounts = accounts.bind(scope);
  }
}
