/** The journeys API as the web app uses it: types mirroring the server's schemas, and query hooks. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../api/client';
import type { Definition, Issue } from './definition';

export type JourneyStatus = 'draft' | 'active' | 'paused' | 'archived';

export interface Journey {
  id: string;
  name: string;
  description: string | null;
  status: JourneyStatus;
  /** The latest published version (0: never published). */
  version: number;
  playbook: string | null;
  draft: Record<string, unknown>;
  /** Problems of the draft that need no database to find; empty when none. */
  issues: Issue[];
  draftUpdatedAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface MessageCounts {
  total: number;
  sent: number;
  opened: number;
  clicked: number;
  skipped: number;
  failed: number;
  queued: number;
}

export interface StepStats {
  node: string;
  passed: number;
  waiting: number;
  outcomes: Record<string, number>;
  messages: MessageCounts | null;
}

export interface JourneyStats {
  journeyId: string;
  version: number;
  status: string;
  entered: number;
  active: number;
  completed: number;
  converted: number;
  exited: number;
  failed: number;
  conversionRate: number | null;
  holdout: { entered: number; converted: number; conversionRate: number | null };
  lift: number | null;
  steps: StepStats[];
}

export interface Simulation {
  customerId: string;
  holdout: boolean;
  path: { node: string; type: string; outcome: string; detail?: Record<string, unknown> }[];
  end: string;
}

export interface Playbook {
  key: string;
  name: string;
  description: string;
  templates: string[];
}

export interface CustomerJourney {
  id: string;
  journeyId: string;
  journeyName: string;
  version: number;
  state: string;
  holdout: boolean;
  node: string | null;
  nextAt: string | null;
  waitingFor: string | null;
  enteredAt: string;
  endedAt: string | null;
  convertedAt: string | null;
  endReason: string | null;
}

export interface Cap {
  max: number;
  days: number;
}
export interface JourneySettings {
  quietHours: { start: string; end: string } | null;
  frequencyCaps: { email?: Cap; sms?: Cap };
}

export const journeysKeys = {
  all: ['journeys'] as const,
  list: ['journeys', 'list'] as const,
  detail: (id: string) => ['journeys', 'detail', id] as const,
  stats: (id: string) => ['journeys', 'stats', id] as const,
  validation: (definition: string) => ['journeys', 'validate', definition] as const,
  playbooks: ['journeys', 'playbooks'] as const,
  customer: (id: string) => ['journeys', 'customer', id] as const,
  settings: ['journeys', 'settings'] as const,
};

const path = (id: string, rest = '') => `/api/v1/journeys/${encodeURIComponent(id)}${rest}`;

export function useJourneys(options: { refetchInterval?: number | false } = {}) {
  return useQuery({
    queryKey: journeysKeys.list,
    queryFn: ({ signal }) => api<{ items: Journey[] }>('GET', '/api/v1/journeys', { signal }).then((r) => r.items),
    refetchInterval: options.refetchInterval,
  });
}

export function useJourney(id: string) {
  return useQuery({
    queryKey: journeysKeys.detail(id),
    queryFn: ({ signal }) => api<Journey>('GET', path(id), { signal }),
  });
}

/** Analytics of a published journey (nothing to ask for a draft never published). */
export function useJourneyStats(id: string, enabled = true, refetchInterval: number | false = false) {
  return useQuery({
    queryKey: journeysKeys.stats(id),
    queryFn: ({ signal }) => api<JourneyStats>('GET', path(id, '/stats'), { signal }),
    enabled,
    refetchInterval,
  });
}

/**
 * Every problem of a definition, including those only the server's data can show (a missing
 * template, segment or team member). Keyed by the definition's JSON: a newer edit aborts the stale call.
 */
export function useValidation(definition: Definition | null) {
  const json = definition ? JSON.stringify(definition) : '';
  return useQuery({
    queryKey: journeysKeys.validation(json),
    queryFn: ({ signal }) =>
      api<{ valid: boolean; issues: Issue[] }>('POST', '/api/v1/journeys/validate', { body: { definition }, signal }),
    enabled: definition !== null,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function usePlaybooks() {
  return useQuery({
    queryKey: journeysKeys.playbooks,
    queryFn: ({ signal }) => api<{ items: Playbook[] }>('GET', '/api/v1/playbooks', { signal }).then((r) => r.items),
    staleTime: 5 * 60_000,
  });
}

/** Keeps the list and the detail in step with a journey the server just returned. */
function useRemember() {
  const queryClient = useQueryClient();
  return (journey: Journey) => {
    queryClient.setQueryData(journeysKeys.detail(journey.id), journey);
    void queryClient.invalidateQueries({ queryKey: journeysKeys.list });
  };
}

export function useInstallPlaybook() {
  const remember = useRemember();
  return useMutation({
    mutationFn: (key: string) =>
      api<Journey>('POST', `/api/v1/playbooks/${encodeURIComponent(key)}/install`, { body: {} }),
    onSuccess: remember,
  });
}

export function useCreateJourney() {
  const remember = useRemember();
  return useMutation({
    mutationFn: (body: { name: string }) => api<Journey>('POST', '/api/v1/journeys', { body }),
    onSuccess: remember,
  });
}

export function useUpdateJourney(id: string) {
  const remember = useRemember();
  return useMutation({
    mutationFn: (body: { name?: string; definition?: Definition }) => api<Journey>('PATCH', path(id), { body }),
    onSuccess: remember,
  });
}

export type JourneyAction = 'publish' | 'pause' | 'resume' | 'archive';

export function useJourneyAction(id: string) {
  const remember = useRemember();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: JourneyAction) => api<Journey>('POST', path(id, `/${action}`)),
    onSuccess: (journey) => {
      remember(journey);
      void queryClient.invalidateQueries({ queryKey: journeysKeys.stats(id) });
    },
  });
}

export function useDeleteJourney() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>('DELETE', path(id)),
    onSettled: () => queryClient.invalidateQueries({ queryKey: journeysKeys.list }),
  });
}

export function useSimulate(id: string) {
  return useMutation({
    mutationFn: (customerId: string) => api<Simulation>('POST', path(id, '/simulate'), { body: { customerId } }),
  });
}

export function useCustomerJourneys(customerId: string, enabled = true) {
  return useQuery({
    queryKey: journeysKeys.customer(customerId),
    queryFn: ({ signal }) =>
      api<{ items: CustomerJourney[] }>('GET', `/api/v1/customers/${encodeURIComponent(customerId)}/journeys`, {
        signal,
      }).then((r) => r.items),
    enabled,
  });
}

export function useJourneySettings() {
  return useQuery({
    queryKey: journeysKeys.settings,
    queryFn: ({ signal }) => api<JourneySettings>('GET', '/api/v1/settings/journeys', { signal }),
  });
}

export function useSaveJourneySettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: JourneySettings) => api<JourneySettings>('PUT', '/api/v1/settings/journeys', { body }),
    onSuccess: (saved) => queryClient.setQueryData(journeysKeys.settings, saved),
  });
}

/**
 * Sends an email step's content (its template, or its subject and HTML) to the signed-in person,
 * marked [Test], through the workspace's SMTP settings (the templates' test send).
 */
export function useTestSend() {
  return useMutation({
    mutationFn: (body: {
      to: string;
      key?: string;
      variants?: Record<string, { subject: string; html: string }>;
      locale: string;
      purpose?: 'marketing' | 'transactional';
    }) => api<{ sent: true; to: string; locale: string }>('POST', '/api/v1/templates/test', { body }),
  });
}

/** The problems a refused publish lists (400 `invalid_definition`), or null for any other error. */
export function publishIssues(error: unknown): Issue[] | null {
  if (!(error instanceof ApiError) || error.code !== 'invalid_definition') return null;
  const issues = (error.details as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as Issue[]) : [];
}
