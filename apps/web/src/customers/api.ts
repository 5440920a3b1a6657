/** The customers API as the web app uses it: types mirroring the server's zod schemas, and query hooks. */
import {
  type InfiniteData,
  keepPreviousData,
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api } from '../api/client';

export const CUSTOMER_SORTS = [
  '-createdAt',
  'createdAt',
  '-lastSeenAt',
  'lastSeenAt',
  '-revenue',
  'revenue',
  '-orders',
  'orders',
  'name',
] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export const CUSTOMER_COLUMNS = [
  'name',
  'email',
  'phone',
  'userId',
  'channels',
  'tags',
  'firstSeenAt',
  'lastSeenAt',
  'orders',
  'revenue',
  'lastOrderAt',
  'createdAt',
] as const;
export type CustomerColumn = (typeof CUSTOMER_COLUMNS)[number];
export const DEFAULT_COLUMNS: CustomerColumn[] = ['name', 'email', 'channels', 'lastSeenAt', 'orders', 'revenue'];

/** The list filters of `GET /api/v1/customers`, as text (they live in the page address). */
export interface CustomerFilters {
  q?: string;
  channel?: string;
  tag?: string;
  traitKey?: string;
  traitValue?: string;
  firstSeenFrom?: string;
  firstSeenTo?: string;
  lastSeenFrom?: string;
  lastSeenTo?: string;
  minOrders?: string;
  maxOrders?: string;
  minRevenue?: string;
  maxRevenue?: string;
}
export const FILTER_KEYS = [
  'q',
  'channel',
  'tag',
  'traitKey',
  'traitValue',
  'firstSeenFrom',
  'firstSeenTo',
  'lastSeenFrom',
  'lastSeenTo',
  'minOrders',
  'maxOrders',
  'minRevenue',
  'maxRevenue',
] as const satisfies readonly (keyof CustomerFilters)[];

export interface CustomerSummary {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  userId: string | null;
  channels: string[];
  tags: string[];
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  orders: number;
  revenue: number;
  currency: string | null;
  lastOrderAt: string | null;
  createdAt: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface TimelineItem {
  id: string;
  kind: string;
  type: string;
  at: string;
  channel: string | null;
  sourceId: string | null;
  title: string;
  data: Record<string, unknown>;
}

export interface Company {
  id: string;
  groupId: string;
  name: string | null;
  traits: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Customer {
  id: string;
  mergedFrom: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  userId: string | null;
  traits: Record<string, unknown>;
  timezone: string | null;
  tags: string[];
  notes: string | null;
  owner: { userId: string; name: string | null; email: string | null } | null;
  facts: {
    firstSeenAt: string | null;
    lastSeenAt: string | null;
    channels: string[];
    orders: number;
    revenue: number;
    averageOrderValue: number | null;
    firstOrderAt: string | null;
    lastOrderAt: string | null;
    currency: string | null;
  };
  identifiers: { kind: string; value: string; firstSeenAt: string; sourceId: string | null }[];
  merges: {
    id: string;
    mergedId: string;
    survivorId: string;
    reason: string;
    eventId: string | null;
    actor: { type: string; id: string | null };
    at: string;
    snapshot: unknown;
  }[];
  conflicts: {
    id: string;
    reason: string;
    details: unknown;
    eventId: string | null;
    createdAt: string;
    other: CustomerSummary;
  }[];
  companies: Company[];
  timeline: Page<TimelineItem>;
  createdAt: string;
  updatedAt: string;
}

export interface CustomerUpdate {
  traits?: Record<string, unknown>;
  tags?: string[];
  notes?: string | null;
  ownerUserId?: string | null;
}

export type OrderStatus = string;
export interface Order {
  id: string;
  sourceId: string;
  channel: string;
  externalId: string;
  number: string | null;
  customerId: string | null;
  status: OrderStatus;
  currency: string;
  subtotal: number | null;
  tax: number | null;
  shipping: number | null;
  discount: number | null;
  total: number;
  refundedAmount: number;
  netTotal: number;
  coupon: string | null;
  placedAt: string;
  cancelledAt: string | null;
  refundedAt: string | null;
}
export interface OrderDetail extends Order {
  items: {
    position: number;
    productId: string | null;
    sku: string | null;
    name: string | null;
    quantity: number;
    unitPrice: number | null;
    currency: string;
    total: number | null;
  }[];
  refunds: { id: string; amount: number | null; currency: string; reason: string | null; refundedAt: string }[];
}

export interface SavedView {
  id: string;
  name: string;
  filters: Record<string, string | number>;
  sort: CustomerSort;
  columns: CustomerColumn[];
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface SavedViewInput {
  name: string;
  filters: Record<string, string | number>;
  sort: CustomerSort;
  columns: CustomerColumn[];
}

export interface Member {
  id: string;
  email: string;
  name: string | null;
}
export interface Source {
  id: string;
  name: string;
  channel: string;
}

// ── keys ──

export const customersKeys = {
  all: ['customers'] as const,
  list: (filters: CustomerFilters, sort: CustomerSort) => ['customers', 'list', filters, sort] as const,
  detail: (id: string) => ['customers', 'detail', id] as const,
  timeline: (id: string, type: string, channel: string) => ['customers', 'timeline', id, type, channel] as const,
  orders: (id: string) => ['customers', 'orders', id] as const,
  consents: (id: string) => ['customers', 'consents', id] as const,
  order: (id: string) => ['orders', id] as const,
  messages: (id: string) => ['customers', 'messages', id] as const,
  message: (id: string) => ['messages', id] as const,
  views: ['customers', 'views'] as const,
};

const PAGE_SIZE = 50;

/** Filters with their empty values dropped, as the API wants them. */
export function cleanFilters(filters: CustomerFilters): CustomerFilters {
  const out: CustomerFilters = {};
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) out[key] = value;
  }
  return out;
}

/** The list, page after page (keyset cursors), keeping the previous rows on screen while a new search runs. */
export function useCustomerList(filters: CustomerFilters, sort: CustomerSort) {
  const clean = cleanFilters(filters);
  return useInfiniteQuery({
    queryKey: customersKeys.list(clean, sort),
    queryFn: ({ pageParam, signal }) =>
      api<Page<CustomerSummary>>('GET', '/api/v1/customers', {
        query: { ...clean, sort, limit: PAGE_SIZE, cursor: pageParam ?? undefined },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });
}

/** The CSV export's address for these filters (a plain download: the session cookie goes with it). */
export function exportUrl(filters: CustomerFilters, sort: CustomerSort): string {
  const params = new URLSearchParams({ ...cleanFilters(filters), sort } as Record<string, string>);
  return `/api/v1/customers/export.csv?${params.toString()}`;
}

export function useBulkTag() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { ids: string[]; add?: string[]; remove?: string[] }) =>
      api<{ updated: number; notFound: string[] }>('POST', '/api/v1/customers/bulk-tag', { body }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: customersKeys.all }),
  });
}

// ── saved views ──

export function useSavedViews() {
  return useQuery({
    queryKey: customersKeys.views,
    queryFn: () => api<{ data: SavedView[] }>('GET', '/api/v1/customers/views').then((r) => r.data),
    staleTime: 60_000,
  });
}

export function useCreateView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SavedViewInput) => api<SavedView>('POST', '/api/v1/customers/views', { body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customersKeys.views }),
  });
}

export function useUpdateView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: Partial<SavedViewInput> & { id: string }) =>
      api<SavedView>('PATCH', `/api/v1/customers/views/${encodeURIComponent(id)}`, { body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customersKeys.views }),
  });
}

export function useDeleteView() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>('DELETE', `/api/v1/customers/views/${encodeURIComponent(id)}`),
    // Optimistic: the view leaves the menu at once, and comes back if the server refuses.
    onMutate: async (id) => {
      await queryClient.cancelQueries({ queryKey: customersKeys.views });
      const before = queryClient.getQueryData<SavedView[]>(customersKeys.views);
      queryClient.setQueryData<SavedView[]>(customersKeys.views, (views) => views?.filter((v) => v.id !== id));
      return { before };
    },
    onError: (_error, _id, context) => queryClient.setQueryData(customersKeys.views, context?.before),
    onSettled: () => queryClient.invalidateQueries({ queryKey: customersKeys.views }),
  });
}

// ── one customer ──

export function useCustomer(id: string) {
  return useQuery({
    queryKey: customersKeys.detail(id),
    queryFn: ({ signal }) => api<Customer>('GET', `/api/v1/customers/${encodeURIComponent(id)}`, { signal }),
  });
}

/** The timeline after the first page the 360 view carries, filtered by item type and channel. */
export function useTimeline(
  id: string,
  filter: { type: string; channel: string },
  first?: { page: Page<TimelineItem>; updatedAt: number },
) {
  const unfiltered = !filter.type && !filter.channel;
  return useInfiniteQuery({
    queryKey: customersKeys.timeline(id, filter.type, filter.channel),
    queryFn: ({ pageParam, signal }) =>
      api<Page<TimelineItem>>('GET', `/api/v1/customers/${encodeURIComponent(id)}/timeline`, {
        query: {
          limit: 30,
          cursor: pageParam ?? undefined,
          type: filter.type || undefined,
          channel: filter.channel || undefined,
        },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // The 360 view already holds the newest items: no second request for the first page.
    initialData:
      unfiltered && first
        ? ({ pages: [first.page], pageParams: [null] } as InfiniteData<Page<TimelineItem>, string | null>)
        : undefined,
    initialDataUpdatedAt: first?.updatedAt,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

/** Updates the cached 360 view with what the server answered. */
function storeCustomer(queryClient: QueryClient, customer: Customer, askedId: string) {
  queryClient.setQueryData(customersKeys.detail(askedId), customer);
  if (customer.id !== askedId) queryClient.setQueryData(customersKeys.detail(customer.id), customer);
}

export function useUpdateCustomer(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CustomerUpdate) =>
      api<Customer>('PATCH', `/api/v1/customers/${encodeURIComponent(id)}`, { body }),
    // Optimistic for tags and notes (nothing on the server derives from them); traits and owner wait for the answer.
    onMutate: async (body) => {
      if (body.tags === undefined && body.notes === undefined) return { before: undefined };
      await queryClient.cancelQueries({ queryKey: customersKeys.detail(id) });
      const before = queryClient.getQueryData<Customer>(customersKeys.detail(id));
      if (before) {
        queryClient.setQueryData<Customer>(customersKeys.detail(id), {
          ...before,
          ...(body.tags !== undefined ? { tags: body.tags } : {}),
          ...(body.notes !== undefined ? { notes: body.notes } : {}),
        });
      }
      return { before };
    },
    onError: (_error, _body, context) => {
      if (context?.before) queryClient.setQueryData(customersKeys.detail(id), context.before);
    },
    onSuccess: (customer) => {
      storeCustomer(queryClient, customer, id);
      void queryClient.invalidateQueries({ queryKey: ['customers', 'list'] });
    },
  });
}

export function useMergeCustomer(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { customerId: string; reason?: string }) =>
      api<Customer>('POST', `/api/v1/customers/${encodeURIComponent(id)}/merge`, { body }),
    onSuccess: (customer) => {
      storeCustomer(queryClient, customer, id);
      // Timeline, orders and the list all change with a merge.
      void queryClient.invalidateQueries({
        predicate: (q) => q.queryKey[0] === 'customers' && q.queryKey[1] !== 'detail',
      });
    },
  });
}

export function useDismissConflict(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (conflictId: string) =>
      api<unknown>(
        'POST',
        `/api/v1/customers/${encodeURIComponent(id)}/conflicts/${encodeURIComponent(conflictId)}/dismiss`,
      ),
    // Optimistic: the conflict leaves the list at once.
    onMutate: async (conflictId) => {
      await queryClient.cancelQueries({ queryKey: customersKeys.detail(id) });
      const before = queryClient.getQueryData<Customer>(customersKeys.detail(id));
      if (before) {
        queryClient.setQueryData<Customer>(customersKeys.detail(id), {
          ...before,
          conflicts: before.conflicts.filter((c) => c.id !== conflictId),
        });
      }
      return { before };
    },
    onError: (_error, _conflictId, context) => {
      if (context?.before) queryClient.setQueryData(customersKeys.detail(id), context.before);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: customersKeys.detail(id) }),
  });
}

export function useCustomerOrders(id: string) {
  return useInfiniteQuery({
    queryKey: customersKeys.orders(id),
    queryFn: ({ pageParam, signal }) =>
      api<Page<Order>>('GET', `/api/v1/customers/${encodeURIComponent(id)}/orders`, {
        query: { limit: 20, cursor: pageParam ?? undefined },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useOrder(id: string | null) {
  return useQuery({
    queryKey: customersKeys.order(id ?? ''),
    queryFn: ({ signal }) => api<OrderDetail>('GET', `/api/v1/orders/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: id !== null,
    staleTime: 60_000,
  });
}

// ── consent (privacy) ──

export const CONSENT_CHANNELS = ['email', 'sms', 'whatsapp', 'push', 'direct_mail', 'phone'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export const CONSENT_PURPOSES = ['marketing', 'transactional'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
export const CONSENT_STATUSES = ['subscribed', 'unsubscribed', 'pending', 'unknown'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export interface Consent {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string | null;
  evidence: Record<string, unknown> | null;
  changedAt: string | null;
  updatedAt: string | null;
}
export interface ConsentList {
  customerId: string;
  items: Consent[];
}
export interface ConsentChangeResult extends ConsentList {
  applied: boolean;
  ignored?: 'older' | 'unchanged';
}

export function useConsents(id: string) {
  return useQuery({
    queryKey: customersKeys.consents(id),
    queryFn: ({ signal }) =>
      api<ConsentList>('GET', `/api/v1/customers/${encodeURIComponent(id)}/consents`, { signal }),
  });
}

export function useSetConsent(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { channel: ConsentChannel; purpose: ConsentPurpose; status: ConsentStatus }) =>
      api<ConsentChangeResult>('PUT', `/api/v1/customers/${encodeURIComponent(id)}/consents`, { body }),
    onSuccess: (result) => {
      queryClient.setQueryData<ConsentList>(customersKeys.consents(id), {
        customerId: result.customerId,
        items: result.items,
      });
      // The change is on the timeline now.
      void queryClient.invalidateQueries({ queryKey: customersKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: ['customers', 'timeline', id] });
    },
  });
}

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'opened' | 'clicked' | 'bounced' | 'failed' | 'skipped';

export interface Message {
  id: string;
  /** null only for a webhook sent without a customer. */
  customerId: string | null;
  channel: 'email' | 'sms' | 'webhook';
  purpose: 'marketing' | 'transactional';
  templateId: string | null;
  templateVersion: number | null;
  locale: string | null;
  to: string | null;
  subject: string | null;
  status: MessageStatus;
  /** Why it was skipped or failed: no_consent_check, no_consent, no_address, smtp: <answer>, … */
  statusReason: string | null;
  providerMessageId: string | null;
  webhookEndpointId: string | null;
  /** An SMS once rendered: its encoding, length and segments. */
  sms: { encoding: string; characters: number; segments: number } | null;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
}

export interface MessageDetail extends Message {
  html: string | null;
  text: string | null;
  events: { id: string; type: string; reason: string | null; url: string | null; at: string }[];
}

export function useCustomerMessages(id: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: customersKeys.messages(id),
    queryFn: ({ pageParam, signal }) =>
      api<Page<Message>>('GET', `/api/v1/customers/${encodeURIComponent(id)}/messages`, {
        query: { limit: 20, cursor: pageParam ?? undefined },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled,
  });
}

export function useMessage(id: string | null) {
  return useQuery({
    queryKey: customersKeys.message(id ?? ''),
    queryFn: ({ signal }) => api<MessageDetail>('GET', `/api/v1/messages/${encodeURIComponent(id ?? '')}`, { signal }),
    enabled: id !== null,
  });
}

// ── from other areas: who can own a customer, and the sources events came from ──

export function useMembers() {
  return useQuery({
    queryKey: ['members'],
    queryFn: () => api<{ data: Member[] }>('GET', '/api/v1/members').then((r) => r.data),
    staleTime: 5 * 60_000,
  });
}

export function useSources() {
  return useQuery({
    queryKey: ['sources'],
    queryFn: () => api<{ data: Source[] }>('GET', '/api/v1/sources').then((r) => r.data),
    staleTime: 60_000,
  });
}
