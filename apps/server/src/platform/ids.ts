import { monotonicFactory } from 'ulidx';

const ulid = monotonicFactory();

/** A sortable id a person can read the kind of: `ws_01J…`, `usr_01J…`. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}
