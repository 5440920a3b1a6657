import type { Db, Tx } from '../platform/db.js';

/**
 * The display names of some targets of one kind in one workspace (id → label); ids it does
 * not know (deleted, another workspace's) are simply absent. One call per page of the log.
 */
export type AuditTargetLabels = (db: Db | Tx, workspaceId: string, ids: string[]) => Promise<Map<string, string>>;

interface Registered {
  kind: string;
  labels: AuditTargetLabels;
}

// Keyed by the id prefix (`cus`, `src`, …): every target id says what it is, whatever the route.
const registry = new Map<string, Registered>();

/**
 * Lets a domain name the targets of its kind in the audit log (access cannot import the domains
 * that own them). `kind` is what the web links by: member, api_key, workspace, invitation,
 * customer, customer_view, source, import, …
 */
export function registerAuditTargetLabels(kind: string, idPrefix: string, labels: AuditTargetLabels): void {
  if (registry.has(idPrefix)) throw new Error(`Audit target labels for ${idPrefix}_ ids are registered twice`);
  registry.set(idPrefix, { kind, labels });
}

function prefixOf(id: string): string {
  const i = id.indexOf('_');
  return i > 0 ? id.slice(0, i) : '';
}

/** The kind and label of each target id of a page, one lookup per kind. */
export async function resolveAuditTargets(
  db: Db | Tx,
  workspaceId: string,
  ids: Iterable<string>,
): Promise<Map<string, { kind: string; label: string | null }>> {
  const byPrefix = new Map<string, Set<string>>();
  for (const id of ids) {
    const prefix = prefixOf(id);
    if (!registry.has(prefix)) continue;
    const set = byPrefix.get(prefix) ?? new Set<string>();
    set.add(id);
    byPrefix.set(prefix, set);
  }
  const out = new Map<string, { kind: string; label: string | null }>();
  await Promise.all(
    [...byPrefix].map(async ([prefix, set]) => {
      const { kind, labels } = registry.get(prefix) as Registered;
      const found = await labels(db, workspaceId, [...set]);
      for (const id of set) out.set(id, { kind, label: found.get(id) ?? null });
    }),
  );
  return out;
}
