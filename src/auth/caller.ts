/** Who is asking: the verified subject and role of the request's bearer token. */
export interface Caller {
  accountId: string;
  role: 'CUSTOMER' | 'DISPATCHER';
  /**
   * The account's name as the issuer signed it (the OpenID `name` claim), when the token
   * carries one: what the viewer's name falls back on while the accounts service is down.
   */
  name?: string;
}

export const ROLES = ['CUSTOMER', 'DISPATCHER'] as const;

export function isDispatcher(caller: Caller): boolean {
  return caller.role === 'DISPATCHER';
}

/** A customer sees their own things; a dispatcher sees everything. */
export function mayActFor(caller: Caller, accountId: string): boolean {
  return caller.accountId === accountId || isDispatcher(caller);
}
