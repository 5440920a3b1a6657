import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';

export const IMPORT_KINDS = ['customers', 'orders', 'products'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';
export type ImportPreset = 'online-retail';

export interface Rejection {
  line: number;
  reason: string;
  field?: string;
}

export interface ImportView {
  id: string;
  kind: ImportKind;
  status: ImportStatus;
  mapping: Record<string, string>;
  preset: ImportPreset | null;
  sourceName: string | null;
  fileName: string | null;
  fileSize: number;
  jobId: string | null;
  progress: {
    rowsTotal: number | null;
    rowsDone: number;
    rowsImported: number;
    rowsDuplicate: number;
    rowsRejected: number;
  };
  rejections: Rejection[];
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ImportCheck {
  kind: ImportKind;
  preset: ImportPreset | null;
  mapping: Record<string, string>;
  rowsChecked: number;
  rejections: Rejection[];
}

/** What an upload sends: the file, its kind, and either a mapping (column → field) or a preset. */
export interface UploadInput {
  file: Blob;
  fileName: string;
  kind: ImportKind;
  mapping: Record<string, string> | null;
  preset: ImportPreset | null;
  sourceName?: string;
}

function formOf(input: UploadInput): FormData {
  const form = new FormData();
  form.set('kind', input.kind);
  if (input.preset) form.set('preset', input.preset);
  else form.set('mapping', JSON.stringify(input.mapping ?? {}));
  if (input.sourceName?.trim()) form.set('sourceName', input.sourceName.trim());
  // The file last: the server reads the fields before it.
  form.set('file', input.file, input.fileName);
  return form;
}

export const importsKey = ['imports'] as const;
const importKey = (id: string) => ['imports', id] as const;

/** Still moving: worth asking again. */
export const isActive = (status: ImportStatus) => status === 'queued' || status === 'running';

export function useImports() {
  return useQuery({
    queryKey: importsKey,
    queryFn: async () => (await api<{ data: ImportView[] }>('GET', '/api/v1/imports')).data,
    // While an import runs, its row in the list moves too.
    refetchInterval: (query) => (query.state.data?.some((i) => isActive(i.status)) ? 2000 : false),
  });
}

/** One import; polled every second until it has finished. */
export function useImport(id: string) {
  return useQuery({
    queryKey: importKey(id),
    queryFn: () => api<ImportView>('GET', `/api/v1/imports/${id}`),
    refetchInterval: (query) => (query.state.data && !isActive(query.state.data.status) ? false : 1000),
  });
}

/** The server's check of a mapping against the first rows (nothing stored); re-run when an input changes. */
export function useImportCheck(input: UploadInput | null, identity: string) {
  return useQuery({
    queryKey: ['imports', 'check', identity],
    queryFn: ({ signal }) =>
      api<ImportCheck>('POST', '/api/v1/imports/check', { body: formOf(input as UploadInput), signal }),
    enabled: input !== null,
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
    placeholderData: keepPreviousData,
  });
}

export function useStartImport() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UploadInput) => api<ImportView>('POST', '/api/v1/imports', { body: formOf(input) }),
    onSuccess: (view) => {
      queryClient.setQueryData(importKey(view.id), view);
      queryClient.setQueryData<ImportView[]>(importsKey, (list) => (list ? [view, ...list] : list));
    },
  });
}
