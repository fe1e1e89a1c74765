// accounts: who the customers are, and the development tokens the BFF verifies.

import { z } from 'zod';
import { tokenRequestSchema } from '../bodies.js';
import type { SeedData } from '../data.js';
import { notFound } from '../http/errors.js';
import type { Route } from '../http/router.js';
import { validate } from '../http/validate.js';
import type { TokenIssuer } from '../tokens.js';
import { collectionRoutes } from './collection.js';

export function accountsRoutes(data: SeedData, tokens: TokenIssuer): Route[] {
  return [
    ...collectionRoutes({
      path: '/v1/accounts',
      noun: 'account',
      records: () => data.accounts,
      list: { order: 'asc', filters: z.strictObject({}), ids: () => data.accountIds },
    }),
    {
      method: 'POST',
      path: '/v1/tokens',
      handler: async ({ body }) => {
        const input = validate(tokenRequestSchema, body, 'body');
        const account = data.accounts.get(input.accountId);
        if (account === undefined) throw notFound(`account ${input.accountId} not found`);
        return {
          status: 201,
          body: { token: await tokens.issue({ ...input, name: account.name }) },
        };
      },
    },
    {
      method: 'GET',
      path: '/.well-known/jwks.json',
      handler: () => ({ status: 200, body: tokens.jwks }),
    },
  ];
}
