import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { type Role, type Session, sessionKey } from '../api/session';

export interface Workspace {
  id: string;
  name: string;
  defaultCountry: string;
  currency: string;
  timezone: string;
  locale: string;
  createdAt: string;
}
export type WorkspacePatch = Partial<Omit<Workspace, 'id' | 'createdAt'>>;

export interface Member {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  joinedAt: string;
  lastLoginAt: string | null;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** What the target is (member, api_key, customer, source, import, …), when the server knows. */
  targetKind: string | null;
  /** The target's name as it is now; its id when it has none. */
  targetLabel: string | null;
  ip: string | null;
  requestId: string | null;
  details: unknown;
  createdAt: string;
}

export interface AuditFilters {
  actorId?: string;
  action?: string;
  /** Calendar days (YYYY-MM-DD) in the workspace time zone. */
  from?: string;
  to?: string;
}

const keys = {
  workspace: ['settings', 'workspace'] as const,
  members: ['settings', 'members'] as const,
  invitations: ['settings', 'invitations'] as const,
  apiKeys: ['settings', 'api-keys'] as const,
  audit: (filters: AuditFilters) => ['settings', 'audit', filters] as const,
  auditActions: ['settings', 'audit-actions'] as const,
  email: ['settings', 'email'] as const,
  sms: ['settings', 'sms'] as const,
  webhooks: ['settings', 'webhooks'] as const,
  deliveries: (id: string) => ['settings', 'webhooks', id, 'deliveries'] as const,
};

type List<T> = { data: T[] };

export function useWorkspace() {
  return useQuery({ queryKey: keys.workspace, queryFn: () => api<Workspace>('GET', '/api/v1/workspace') });
}

export function useUpdateWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: WorkspacePatch) => api<Workspace>('PATCH', '/api/v1/workspace', { body: patch }),
    onSuccess: (ws) => {
      qc.setQueryData(keys.workspace, ws);
      // The session carries the workspace's name and formats: the header and every page follow at once.
      qc.setQueryData<Session | null>(sessionKey, (s) =>
        s?.workspace
          ? {
              ...s,
              workspace: { ...s.workspace, ...ws },
              workspaces: s.workspaces.map((w) => (w.id === ws.id ? { ...w, name: ws.name } : w)),
            }
          : s,
      );
    },
  });
}

export function useMembers() {
  return useQuery({
    queryKey: keys.members,
    queryFn: async () => (await api<List<Member>>('GET', '/api/v1/members')).data,
  });
}

export function useChangeRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      api<Member>('PATCH', `/api/v1/members/${encodeURIComponent(userId)}`, { body: { role } }),
    // Optimistic: the select shows the new role at once and goes back if the server refuses.
    onMutate: async ({ userId, role }) => {
      await qc.cancelQueries({ queryKey: keys.members });
      const previous = qc.getQueryData<Member[]>(keys.members);
      qc.setQueryData<Member[]>(keys.members, (list) => list?.map((m) => (m.id === userId ? { ...m, role } : m)));
      return { previous };
    },
    onError: (_error, _vars, context) => qc.setQueryData(keys.members, context?.previous),
    onSettled: () => qc.invalidateQueries({ queryKey: keys.members }),
  });
}

export function useRemoveMember() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) => api<void>('DELETE', `/api/v1/members/${encodeURIComponent(userId)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.members }),
  });
}

export interface CreatedPasswordReset {
  id: string;
  userId: string;
  email: string;
  expiresAt: string;
  link: string;
}

export function useCreatePasswordReset() {
  return useMutation({
    mutationFn: (userId: string) =>
      api<CreatedPasswordReset>('POST', `/api/v1/members/${encodeURIComponent(userId)}/password-reset`),
  });
}

export function useInvitations(enabled = true) {
  return useQuery({
    queryKey: keys.invitations,
    queryFn: async () => (await api<List<Invitation>>('GET', '/api/v1/invitations')).data,
    enabled,
  });
}

export function useCreateInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; role: Role; expiresInDays?: number }) =>
      api<{ invitation: Invitation; link: string }>('POST', '/api/v1/invitations', { body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.invitations }),
  });
}

export function useRevokeInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<Invitation>('DELETE', `/api/v1/invitations/${encodeURIComponent(id)}`),
    onSuccess: (inv) =>
      qc.setQueryData<Invitation[]>(keys.invitations, (list) => list?.map((i) => (i.id === inv.id ? inv : i))),
  });
}

export function useApiKeys(enabled = true) {
  return useQuery({
    queryKey: keys.apiKeys,
    queryFn: async () => (await api<List<ApiKey>>('GET', '/api/v1/api-keys')).data,
    enabled,
  });
}

export function useCreateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; scopes: string[] }) =>
      api<{ apiKey: ApiKey; key: string }>('POST', '/api/v1/api-keys', { body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.apiKeys }),
  });
}

export function useRevokeApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<ApiKey>('DELETE', `/api/v1/api-keys/${encodeURIComponent(id)}`),
    onSuccess: (key) =>
      qc.setQueryData<ApiKey[]>(keys.apiKeys, (list) => list?.map((k) => (k.id === key.id ? key : k))),
  });
}

export const AUDIT_PAGE = 50;

/** The audit log with filters, newest first, page after page. */
export function useAuditLog(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: keys.audit(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      (
        await api<List<AuditEntry>>('GET', '/api/v1/audit-log', {
          query: { ...filters, before: pageParam, limit: AUDIT_PAGE },
        })
      ).data,
    getNextPageParam: (last) => (last.length < AUDIT_PAGE ? undefined : last[last.length - 1]?.id),
  });
}

export function useAuditActions() {
  return useQuery({
    queryKey: keys.auditActions,
    queryFn: async () => (await api<List<string>>('GET', '/api/v1/audit-log/actions')).data,
  });
}

export interface EmailBrand {
  logoUrl: string | null;
  primaryColor: string | null;
  footerText: string | null;
  postalAddress: string | null;
}

/** The workspace's SMTP server, sender and brand; the password is never sent back, only whether one is stored. */
export interface EmailSettings {
  configured: boolean;
  host: string | null;
  port: number;
  secure: boolean;
  user: string | null;
  passwordSet: boolean;
  fromName: string | null;
  fromAddress: string | null;
  replyTo: string | null;
  brand: EmailBrand;
  updatedAt: string | null;
}

export interface EmailSettingsInput {
  host: string;
  port: number;
  secure: boolean;
  user: string | null;
  /** Omitted: keep the stored password. */
  password?: string | null;
  fromName: string;
  fromAddress: string;
  replyTo: string | null;
  brand: EmailBrand;
}

export function useEmailSettings() {
  return useQuery({ queryKey: keys.email, queryFn: () => api<EmailSettings>('GET', '/api/v1/settings/email') });
}

export function useSaveEmailSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: EmailSettingsInput) => api<EmailSettings>('PUT', '/api/v1/settings/email', { body: input }),
    onSuccess: (saved) => qc.setQueryData(keys.email, saved),
  });
}

export function useSendTestEmail() {
  return useMutation({
    mutationFn: (to: string) =>
      api<{ sent: true; to: string; messageId: string; response: string }>('POST', '/api/v1/settings/email/test', {
        body: { to },
      }),
  });
}

// ── SMS ──

export type SmsProviderName = 'twilio' | 'log';

export interface SmsSettings {
  configured: boolean;
  provider: SmsProviderName | null;
  baseUrl: string | null;
  accountSid: string | null;
  authTokenSet: boolean;
  fromNumber: string | null;
  messagingServiceSid: string | null;
  statusCallbackUrl: string;
  inboundUrl: string;
  updatedAt: string | null;
}

export interface SmsSettingsInput {
  provider: SmsProviderName;
  baseUrl?: string | null;
  accountSid?: string | null;
  /** Omit to keep the stored token. */
  authToken?: string;
  fromNumber?: string | null;
  messagingServiceSid?: string | null;
}

export function useSmsSettings() {
  return useQuery({ queryKey: keys.sms, queryFn: () => api<SmsSettings>('GET', '/api/v1/settings/sms') });
}

export function useSaveSmsSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: SmsSettingsInput) => api<SmsSettings>('PUT', '/api/v1/settings/sms', { body: input }),
    onSuccess: (saved) => qc.setQueryData(keys.sms, saved),
  });
}

export interface TestSmsResult {
  sent: true;
  to: string;
  provider: SmsProviderName;
  providerMessageId: string;
  encoding: string;
  characters: number;
  segments: number;
}

export function useSendTestSms() {
  return useMutation({
    mutationFn: (to: string) => api<TestSmsResult>('POST', '/api/v1/settings/sms/test', { body: { to } }),
  });
}

// ── webhooks ──

export interface WebhookEndpoint {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  previousSecretValidUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookDelivery {
  id: string;
  messageId: string | null;
  attempt: number;
  url: string;
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  outcome: 'delivered' | 'retrying' | 'failed';
  nextAttemptAt: string | null;
}

export function useWebhookEndpoints() {
  return useQuery({
    queryKey: keys.webhooks,
    queryFn: () => api<List<WebhookEndpoint>>('GET', '/api/v1/settings/webhooks'),
    select: (r) => r.data,
  });
}

export function useCreateWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; url: string }) =>
      api<WebhookEndpoint & { secret: string }>('POST', '/api/v1/settings/webhooks', { body: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.webhooks }),
  });
}

export function useUpdateWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...patch }: { id: string; enabled?: boolean; name?: string; url?: string }) =>
      api<WebhookEndpoint>('PATCH', `/api/v1/settings/webhooks/${encodeURIComponent(id)}`, { body: patch }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.webhooks }),
  });
}

export function useDeleteWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<null>('DELETE', `/api/v1/settings/webhooks/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.webhooks }),
  });
}

export function useRotateWebhookSecret() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<WebhookEndpoint & { secret: string }>(
        'POST',
        `/api/v1/settings/webhooks/${encodeURIComponent(id)}/rotate-secret`,
        { body: { graceHours: 24 } },
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.webhooks }),
  });
}

export function usePingWebhookEndpoint() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api<WebhookDelivery>('POST', `/api/v1/settings/webhooks/${encodeURIComponent(id)}/test`),
    onSuccess: (_r, id) => qc.invalidateQueries({ queryKey: keys.deliveries(id) }),
  });
}

export function useWebhookDeliveries(id: string | null) {
  return useQuery({
    queryKey: keys.deliveries(id ?? ''),
    queryFn: () =>
      api<{ data: WebhookDelivery[]; nextCursor: string | null }>(
        'GET',
        `/api/v1/settings/webhooks/${encodeURIComponent(id ?? '')}/deliveries?limit=50`,
      ),
    enabled: !!id,
    select: (r) => r.data,
  });
}
