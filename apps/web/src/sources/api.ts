import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

export const CHANNELS = [
  'web',
  'mobile',
  'store',
  'ecommerce',
  'marketplace',
  'email',
  'sms',
  'social',
  'phone',
  'direct_mail',
  'partner',
  'import',
  'other',
] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Source {
  id: string;
  name: string;
  channel: Channel;
  writeKey: string;
  previousWriteKeyExpiresAt: string | null;
  hasWebhookSecret: boolean;
  lastEventAt: string | null;
  createdAt: string;
}

export interface SourceEvent {
  id: string;
  seq: number;
  sourceId: string;
  channel: string;
  messageId: string;
  type: string;
  event: string | null;
  name: string | null;
  userId: string | null;
  anonymousId: string | null;
  customerId: string | null;
  timestamp: string;
  receivedAt: string;
  properties: unknown;
  traits: unknown;
  context: unknown;
  processedAt: string | null;
}

export type QuarantineStatus = 'quarantined' | 'replayed' | 'discarded';

export interface QuarantinedEvent {
  id: string;
  sourceId: string;
  messageId: string | null;
  reason: string;
  field: string | null;
  payload: unknown;
  status: QuarantineStatus;
  receivedAt: string;
  resolvedAt: string | null;
  eventId: string | null;
}

export const sourcesKey = ['sources'] as const;
const sourceKey = (id: string) => ['sources', id] as const;
const quarantineKey = (id: string, status: QuarantineStatus) => ['sources', id, 'quarantine', status] as const;

export function useSources(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: sourcesKey,
    queryFn: async () => (await api<{ data: Source[] }>('GET', '/api/v1/sources')).data,
    refetchInterval: options.refetchInterval,
  });
}

export function useSource(id: string) {
  return useQuery({ queryKey: sourceKey(id), queryFn: () => api<Source>('GET', `/api/v1/sources/${id}`) });
}

export function useCreateSource() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; channel: Channel }) => api<Source>('POST', '/api/v1/sources', { body: input }),
    onSuccess: (source) => {
      queryClient.setQueryData(sourceKey(source.id), source);
      queryClient.setQueryData<Source[]>(sourcesKey, (list) => (list ? [...list, source] : list));
      void queryClient.invalidateQueries({ queryKey: sourcesKey, exact: true });
    },
  });
}

export function useRenameSource(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<Source>('PATCH', `/api/v1/sources/${id}`, { body: { name } }),
    // Optimistic: the new name shows at once and comes back if the server refuses it.
    onMutate: async (name) => {
      await queryClient.cancelQueries({ queryKey: sourceKey(id), exact: true });
      const previous = queryClient.getQueryData<Source>(sourceKey(id));
      if (previous) queryClient.setQueryData(sourceKey(id), { ...previous, name });
      return { previous };
    },
    onError: (_error, _name, context) => {
      if (context?.previous) queryClient.setQueryData(sourceKey(id), context.previous);
    },
    onSuccess: (source) => queryClient.setQueryData(sourceKey(id), source),
    onSettled: () => queryClient.invalidateQueries({ queryKey: sourcesKey, exact: true }),
  });
}

export function useRotateKey(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (graceHours: number) =>
      api<Source>('POST', `/api/v1/sources/${id}/rotate-key`, { body: { graceHours } }),
    onSuccess: (source) => {
      queryClient.setQueryData(sourceKey(id), source);
      void queryClient.invalidateQueries({ queryKey: sourcesKey, exact: true });
    },
  });
}

export function useDeleteSource(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('DELETE', `/api/v1/sources/${id}`),
    onSuccess: () => {
      queryClient.setQueryData<Source[]>(sourcesKey, (list) => list?.filter((s) => s.id !== id));
      queryClient.removeQueries({ queryKey: sourceKey(id) });
    },
  });
}

/** The latest events of a source, newest first (the debugger starts from these). */
export function fetchLatestEvents(id: string, limit = 20) {
  return api<{ data: SourceEvent[] }>('GET', `/api/v1/sources/${id}/events`, { query: { limit } });
}

export function useQuarantine(id: string, status: QuarantineStatus) {
  return useQuery({
    queryKey: quarantineKey(id, status),
    queryFn: () =>
      api<{ data: QuarantinedEvent[]; quarantined: number }>('GET', `/api/v1/sources/${id}/quarantine`, {
        query: { status, limit: 100 },
      }),
  });
}

/**
 * Replays or discards a quarantined event. A discard cannot fail for a reason the person must read,
 * so the entry leaves the list at once (put back on failure); a replay waits for the server's answer.
 */
export function useResolveQuarantined(id: string) {
  const queryClient = useQueryClient();
  const waiting = quarantineKey(id, 'quarantined');
  type Page = { data: QuarantinedEvent[]; quarantined: number };
  return useMutation({
    mutationFn: ({ entry, action }: { entry: QuarantinedEvent; action: 'replay' | 'discard' }) =>
      api<QuarantinedEvent>('POST', `/api/v1/sources/${id}/quarantine/${entry.id}/${action}`, {
        body: action === 'replay' ? {} : undefined,
      }),
    onMutate: async ({ entry, action }) => {
      if (action !== 'discard') return { previous: undefined };
      await queryClient.cancelQueries({ queryKey: waiting });
      const previous = queryClient.getQueryData<Page>(waiting);
      if (previous) {
        queryClient.setQueryData<Page>(waiting, {
          data: previous.data.filter((q) => q.id !== entry.id),
          quarantined: Math.max(0, previous.quarantined - 1),
        });
      }
      return { previous };
    },
    onError: (_error, _vars, context) => {
      if (context?.previous) queryClient.setQueryData(waiting, context.previous);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['sources', id, 'quarantine'] }),
  });
}
