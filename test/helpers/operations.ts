import { readdirSync, readFileSync } from 'node:fs';

/** The apps' real operations, as the contract ships them (`contract/operations/*.graphql`). */
const folder = new URL('../../contract/operations/', import.meta.url);

export const OPERATION_NAMES = readdirSync(folder)
  .filter((file) => file.endsWith('.graphql'))
  .map((file) => file.replace(/\.graphql$/, ''));

export function operation(name: string): string {
  return readFileSync(new URL(`${name}.graphql`, folder), 'utf8');
}
