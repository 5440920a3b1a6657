/** The segments API as the web app uses it: types mirroring the server's schemas, and query hooks. */
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Condition, SegmentRule } from './rules';

export type SegmentKind = 'dynamic' | 'static';

export interface Segment {
  id: string;
  name: string;
  description: string | null;
  kind: SegmentKind;
  rule: SegmentRule | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
  refreshedAt: string | null;
}

/** A customer as segment answers list them. */
export interface SegmentCustomer {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  lastSeenAt: string | null;
  orderCount: number;
  revenue: number;
  currency: string | null;
}

export interface Preview {
  count: number;
  sample: SegmentCustomer[];
  tookMs: number;
}

export interface ExplainNode {
  condition?: Condition;
  op?: 'all' | 'any' | 'not';
  matched: boolean;
  actual?: unknown;
  children?: ExplainNode[];
}

export interface Explanation {
  member: boolean;
  matches: boolean;
  /** The rule checked node by node; null for a static list (no rule). */
  explanation: ExplainNode | null;
}

export interface SegmentInput {
  name: string;
  description?: string | null;
  kind: SegmentKind;
  rule?: SegmentRule | null;
}

export const segmentsKeys = {
  all: ['segments'] as const,
  list: ['segments', 'list'] as const,
  detail: (id: string) => ['segments', 'detail', id] as const,
  members: (id: string) => ['segments', 'members', id] as const,
  preview: (rule: SegmentRule | null) => ['segments', 'preview', rule] as const,
  explain: (id: string, customerId: string) => ['segments', 'explain', id, customerId] as const,
};

const path = (id: string, rest = '') => `/api/v1/segments/${encodeURIComponent(id)}${rest}`;

export function useSegments(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: segmentsKeys.list,
    queryFn: ({ signal }) => api<{ items: Segment[] }>('GET', '/api/v1/segments', { signal }).then((r) => r.items),
    refetchInterval: options.refetchInterval,
  });
}

export function useSegment(id: string | undefined) {
  return useQuery({
    queryKey: segmentsKeys.detail(id ?? ''),
    queryFn: ({ signal }) => api<Segment>('GET', path(id ?? ''), { signal }),
    enabled: !!id,
  });
}

/**
 * The live count and sample of a rule while it is being edited. The rule is the query key: a new
 * rule starts a new request and TanStack Query aborts the stale one (the `signal`), so an old answer
 * never overwrites a newer one. `null` (an unfinished rule) asks nothing.
 */
export function usePreview(rule: SegmentRule | null) {
  return useQuery({
    queryKey: segmentsKeys.preview(rule),
    queryFn: ({ signal }) => api<Preview>('POST', '/api/v1/segments/preview', { body: { rule }, signal }),
    enabled: rule !== null,
    placeholderData: keepPreviousData,
    staleTime: 15_000,
  });
}

export function useCreateSegment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SegmentInput) => api<Segment>('POST', '/api/v1/segments', { body }),
    onSuccess: (segment) => {
      queryClient.setQueryData(segmentsKeys.detail(segment.id), segment);
      void queryClient.invalidateQueries({ queryKey: segmentsKeys.list });
    },
  });
}

export function useUpdateSegment(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<SegmentInput>) => api<Segment>('PATCH', path(id), { body }),
    onSuccess: (segment) => {
      queryClient.setQueryData(segmentsKeys.detail(id), segment);
      void queryClient.invalidateQueries({ queryKey: segmentsKeys.list });
      void queryClient.invalidateQueries({ queryKey: segmentsKeys.members(id) });
    },
  });
}

export function useDeleteSegment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>('DELETE', path(id)),
    // Optimistic: the segment leaves the list at once, and comes back if the server refuses.
    onMutate: async (id) => {
      await queryClient.cancelQueries({ queryKey: segmentsKeys.list });
      const before = queryClient.getQueryData<Segment[]>(segmentsKeys.list);
      queryClient.setQueryData<Segment[]>(segmentsKeys.list, (list) => list?.filter((s) => s.id !== id));
      return { before };
    },
    onError: (_error, _id, context) => queryClient.setQueryData(segmentsKeys.list, context?.before),
    onSettled: () => queryClient.invalidateQueries({ queryKey: segmentsKeys.all }),
  });
}

export const MEMBERS_PAGE = 25;

/** Members, a page at a time (cursor paging; "load more" appends the next page). */
export function useMembers(id: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: segmentsKeys.members(id),
    queryFn: ({ pageParam, signal }) =>
      api<{ items: SegmentCustomer[]; nextCursor: string | null }>('GET', path(id, '/members'), {
        query: { limit: MEMBERS_PAGE, cursor: pageParam ?? undefined },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled,
  });
}

function useMembershipChange<TBody, TResult>(id: string, method: 'POST', rest: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TBody) => api<TResult>(method, path(id, rest), { body }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: segmentsKeys.members(id) });
      void queryClient.invalidateQueries({ queryKey: segmentsKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: segmentsKeys.list });
    },
  });
}

export const useAddMembers = (id: string) =>
  useMembershipChange<{ customerIds: string[] }, unknown>(id, 'POST', '/members');
export const useRemoveMembers = (id: string) =>
  useMembershipChange<{ customerIds: string[] }, unknown>(id, 'POST', '/members/remove');
export const useUploadMembers = (id: string) =>
  useMembershipChange<{ csv: string }, { added: number; notFound: { line: number; value: string }[] }>(
    id,
    'POST',
    '/members/csv',
  );
export const useRefreshSegment = (id: string) =>
  useMembershipChange<undefined, { entered: number; exited: number; memberCount: number }>(id, 'POST', '/refresh');

export function useExplain(id: string, customerId: string | null) {
  return useQuery({
    queryKey: segmentsKeys.explain(id, customerId ?? ''),
    queryFn: ({ signal }) =>
      api<Explanation>('GET', path(id, `/explain/${encodeURIComponent(customerId ?? '')}`), { signal }),
    enabled: !!customerId,
  });
}

/** Customers found by a search (for picking one to add to a list or to explain). */
export interface PickedCustomer {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  userId: string | null;
}

export function useCustomerSearch(q: string) {
  const term = q.trim();
  return useQuery<PickedCustomer[]>({
    queryKey: ['customers', 'pick', term],
    queryFn: async ({ signal }): Promise<PickedCustomer[]> =>
      (await api<{ data: PickedCustomer[] }>('GET', '/api/v1/customers', { query: { q: term, limit: 10 }, signal }))
        .data,
    enabled: term.length >= 2,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
