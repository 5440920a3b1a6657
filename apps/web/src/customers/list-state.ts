/**
 * The customers list's state lives in the page address (search, filters, sort, columns, saved view),
 * so a list can be bookmarked, shared and reached with the back button.
 */
import {
  CUSTOMER_COLUMNS,
  CUSTOMER_SORTS,
  type CustomerColumn,
  type CustomerFilters,
  type CustomerSort,
  cleanFilters,
  DEFAULT_COLUMNS,
  FILTER_KEYS,
  type SavedView,
} from './api';

export interface ListState {
  filters: CustomerFilters;
  sort: CustomerSort;
  columns: CustomerColumn[];
  viewId: string | null;
}

const DEFAULT_SORT: CustomerSort = '-createdAt';

const isSort = (s: string | null): s is CustomerSort => (CUSTOMER_SORTS as readonly string[]).includes(s ?? '');
const isColumn = (c: string): c is CustomerColumn => (CUSTOMER_COLUMNS as readonly string[]).includes(c);

export function readListState(params: URLSearchParams): ListState {
  const filters: CustomerFilters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) filters[key] = value;
  }
  const sort = params.get('sort');
  const columns = (params.get('cols') ?? '').split(',').filter(isColumn);
  return {
    filters,
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    columns: columns.length ? [...new Set(columns)] : DEFAULT_COLUMNS,
    viewId: params.get('view'),
  };
}

export function writeListState(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.viewId) params.set('view', state.viewId);
  for (const [key, value] of Object.entries(cleanFilters(state.filters))) params.set(key, value);
  if (state.sort !== DEFAULT_SORT) params.set('sort', state.sort);
  if (!sameList(state.columns, DEFAULT_COLUMNS)) params.set('cols', state.columns.join(','));
  return params;
}

/** The list state a saved view opens. */
export function stateOfView(view: SavedView): ListState {
  const filters: CustomerFilters = {};
  for (const key of FILTER_KEYS) {
    const value = view.filters[key];
    if (value !== undefined && value !== '') filters[key] = String(value);
  }
  return { filters, sort: view.sort, columns: view.columns.filter(isColumn), viewId: view.id };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether the list shows something else than the saved view (so it can be saved again). */
export function differsFromView(state: ListState, view: SavedView): boolean {
  const saved = stateOfView(view);
  const a = cleanFilters(state.filters);
  const b = cleanFilters(saved.filters);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof CustomerFilters>;
  for (const k of keys) if (a[k] !== b[k]) return true;
  return state.sort !== saved.sort || !sameList(state.columns, saved.columns);
}

/** The body that saves the list state as a view: numbers as numbers, as the API validates them. */
export function viewInput(state: ListState) {
  const filters: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(cleanFilters(state.filters))) {
    filters[key] =
      /^(min|max)(Orders|Revenue)$/.test(key) && value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
  }
  return { filters, sort: state.sort, columns: state.columns };
}

/** How many filters narrow the list (the search box counts apart). */
export function activeFilterCount(filters: CustomerFilters): number {
  return Object.keys(cleanFilters(filters)).filter((k) => k !== 'q').length;
}
