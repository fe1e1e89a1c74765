import type { CallContext, UpstreamHttpClient } from './http-client.js';
import { AccountRecord, TokenRecord } from './records.js';
import { ResourceReader } from './resource.js';

/** The accounts service: accounts and the development tokens that name them. */
export class AccountsClient {
  readonly accounts: ResourceReader<AccountRecord>;

  constructor(private readonly http: UpstreamHttpClient) {
    this.accounts = new ResourceReader(http, '/v1/accounts', AccountRecord);
  }

  /** `POST /v1/tokens`: a signed development token for an account (used by `npm start`). */
  async issueToken(
    input: { accountId: string; role: 'CUSTOMER' | 'DISPATCHER' },
    call: CallContext,
  ): Promise<string> {
    const answer = await this.http.send(
      { method: 'POST', route: 'POST /v1/tokens', path: '/v1/tokens', body: input },
      TokenRecord,
      call,
    );
    return answer.token;
  }
}
