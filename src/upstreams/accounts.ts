import type { UpstreamHttpClient } from './http-client.js';
import { AccountBatch, AccountRecord } from './records.js';
import { ResourceReader } from './resource.js';

/**
 * The accounts service: accounts. (It also issues development tokens and publishes their keys;
 * the BFF only reads the keys, through `auth/token-verifier.ts`.)
 */
export class AccountsClient {
  readonly accounts: ResourceReader<AccountRecord>;

  constructor(http: UpstreamHttpClient) {
    this.accounts = new ResourceReader(http, '/v1/accounts', AccountRecord, AccountBatch);
  }
}
