/**
 * Saved views of the customers list (DATA-5): a named set of filters, a sort and the columns
 * shown, shared by everyone in the workspace. The filters are the list's own, validated by the
 * same schema, so a view always opens as a valid list query.
 */
import type { Db } from '../platform/db.js';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { cm } from './messages.js';
import * as repo from './repository.js';
import type { CreateViewBody, CustomerSort, UpdateViewBody } from './schemas.js';

/** A workspace keeps at most this many views: a menu of them must stay usable. */
export const MAX_VIEWS = 200;

type Filters = Record<string, string | number>;

/** Drops filters left empty (an empty search box), so a view stores only what narrows the list. */
function cleanFilters(filters: Record<string, unknown>): Filters {
  const out: Filters = {};
  for (const [k, v] of Object.entries(filters)) {
    if (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '')) out[k] = v;
  }
  return out;
}

export function customerViewView(v: repo.CustomerViewRow) {
  return {
    id: v.id,
    name: v.name,
    filters: v.filters,
    sort: v.sort as CustomerSort,
    columns: v.columns as CreateViewBody['columns'],
    createdBy: v.created_by,
    createdAt: v.created_at.toISOString(),
    updatedAt: v.updated_at.toISOString(),
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown } | null)?.code === '23505';
const nameTaken = (name: string) => new ConflictError('name_taken', cm('view_name_taken', { name }), 'name');

/** Every saved view of the workspace, by name. */
export async function listCustomerViews(db: Db, workspaceId: string) {
  return { data: (await repo.listViews(db, workspaceId)).map(customerViewView) };
}

/** Saves a view; its name must be new in the workspace (case does not matter). */
export async function createCustomerView(db: Db, workspaceId: string, body: CreateViewBody, createdBy: string | null) {
  if ((await repo.countViews(db, workspaceId)) >= MAX_VIEWS) {
    throw new UserError(400, 'too_many_views', cm('too_many_views', { max: MAX_VIEWS }), 'name');
  }
  try {
    const row = await repo.insertView(db, {
      id: newId('cvw'),
      workspace_id: workspaceId,
      name: body.name,
      filters: cleanFilters(body.filters),
      sort: body.sort,
      columns: body.columns,
      created_by: createdBy,
    });
    return customerViewView(row);
  } catch (err) {
    throw isUniqueViolation(err) ? nameTaken(body.name) : err;
  }
}

/** Renames a view or replaces its filters, sort or columns. */
export async function updateCustomerView(db: Db, workspaceId: string, id: string, body: UpdateViewBody) {
  try {
    const row = await repo.updateView(db, workspaceId, id, {
      name: body.name,
      filters: body.filters ? cleanFilters(body.filters) : undefined,
      sort: body.sort,
      columns: body.columns,
    });
    if (!row) throw new NotFoundError(cm('view_not_found'));
    return customerViewView(row);
  } catch (err) {
    throw isUniqueViolation(err) ? nameTaken(body.name ?? '') : err;
  }
}

/** Deletes a view (the customers it showed are untouched). */
export async function deleteCustomerView(db: Db, workspaceId: string, id: string) {
  if (!(await repo.deleteView(db, workspaceId, id))) throw new NotFoundError(cm('view_not_found'));
}
