/** Who is asking: the verified subject and role of the request's bearer token. */
export interface Caller {
  accountId: string;
  role: 'CUSTOMER' | 'DISPATCHER';
}

export const ROLES = ['CUSTOMER', 'DISPATCHER'] as const;

export function isDispatcher(caller: Caller): boolean {
  return caller.role === 'DISPATCHER';
}

/** A customer sees their own things; a dispatcher sees everything. */
export function mayActFor(caller: Caller, accountId: string): boolean {
  return caller.accountId === accountId || isDispatcher(caller);
}
