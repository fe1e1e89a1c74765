import { RequestScope } from '../../src/request-scope.js';

/** A request's scope for tests that call upstream clients directly, as a request would. */
export function testScope(budgetMs = 2_000, requestId = 'test-request'): RequestScope {
  return new RequestScope({ requestId, budgetMs });
}
