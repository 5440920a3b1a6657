/** The email templates API as the web app uses it: types mirroring the server's schemas, and query hooks. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

export interface Variant {
  subject: string;
  html: string;
  text?: string | null;
}
export type Variants = Record<string, Variant>;

export interface TemplateSummary {
  key: string;
  name: string;
  channel: string;
  version: number;
  updatedAt: string;
}
export interface Template extends TemplateSummary {
  variants: Variants;
}
export interface Rendered {
  locale: string;
  subject: string;
  html: string;
  text: string;
}

export const templateKeys = {
  list: ['templates', 'list'] as const,
  detail: (key: string) => ['templates', 'detail', key] as const,
  preview: (variants: Variants | null, purpose: string) => ['templates', 'preview', variants, purpose] as const,
};

const path = (key: string) => `/api/v1/templates/${encodeURIComponent(key)}`;

export function useTemplates() {
  return useQuery({
    queryKey: templateKeys.list,
    queryFn: ({ signal }) =>
      api<{ items: TemplateSummary[] }>('GET', '/api/v1/templates', { signal }).then((r) => r.items),
  });
}

export function useTemplate(key: string | undefined) {
  return useQuery({
    queryKey: templateKeys.detail(key ?? ''),
    queryFn: ({ signal }) => api<Template>('GET', path(key ?? ''), { signal }),
    enabled: !!key,
  });
}

/**
 * Every language rendered in the brand layout while it is edited: the content is the query key,
 * so a newer edit aborts the older request. `null` (nothing to render yet) asks nothing.
 */
export function useTemplatePreview(variants: Variants | null, purpose: 'marketing' | 'transactional') {
  return useQuery<Rendered[]>({
    queryKey: templateKeys.preview(variants, purpose),
    queryFn: ({ signal }) =>
      api<{ items: Rendered[] }>('POST', '/api/v1/templates/preview', { body: { variants, purpose }, signal }).then(
        (r) => r.items,
      ),
    enabled: variants !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function useSaveTemplate(key: string | undefined) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { key: string; name?: string; variants: Variants }) =>
      key
        ? api<Template>('PUT', path(key), { body: { name: body.name, variants: body.variants } })
        : api<Template>('POST', '/api/v1/templates', { body }),
    onSuccess: (t) => {
      queryClient.setQueryData(templateKeys.detail(t.key), t);
      void queryClient.invalidateQueries({ queryKey: templateKeys.list });
    },
  });
}

export function useSendTest() {
  return useMutation({
    mutationFn: (body: { to: string; variants: Variants; locale: string }) =>
      api<{ sent: true; to: string; locale: string }>('POST', '/api/v1/templates/test', { body }),
  });
}

/** The variants worth sending to the server: languages with both a subject and a body. */
export function filledVariants(variants: Variants): Variants | null {
  const out: Variants = {};
  for (const [locale, v] of Object.entries(variants)) {
    if (v.subject.trim() && v.html.trim())
      out[locale] = { subject: v.subject, html: v.html, text: v.text?.trim() ? v.text : null };
  }
  return Object.keys(out).length ? out : null;
}
