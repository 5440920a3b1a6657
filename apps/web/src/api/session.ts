import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken } from './client';

export type Role = 'owner' | 'admin' | 'marketer' | 'agent' | 'analyst';

export interface Session {
  user: { id: string; email: string; name: string | null };
  workspace: {
    id: string;
    name: string;
    locale: string;
    currency: string;
    timezone: string;
    defaultCountry: string;
  } | null;
  role: Role | null;
  workspaces: { id: string; name: string; role: Role }[];
  csrfToken: string;
}

export interface SetupInput {
  workspaceName: string;
  name?: string;
  email: string;
  password: string;
  defaultCountry?: string;
  currency?: string;
  timezone?: string;
  locale?: string;
}

export interface LoginInput {
  email: string;
  password: string;
}

export interface Invitation {
  workspaceName: string;
  email: string;
  role: Role;
  expiresAt: string;
}

export interface AcceptInvitationInput {
  token: string;
  password: string;
  name?: string;
}

export const sessionKey = ['session'] as const;
export const setupKey = ['setup'] as const;

/** Every call that returns a Session goes through here, so the CSRF token always follows the cookie. */
async function sessionCall(promise: Promise<Session>): Promise<Session> {
  const session = await promise;
  setCsrfToken(session.csrfToken);
  return session;
}

/** The signed-in person's session, or null when nobody is signed in. */
export async function fetchSession(): Promise<Session | null> {
  try {
    return await sessionCall(api<Session>('GET', '/api/v1/session'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function useSession() {
  return useQuery({ queryKey: sessionKey, queryFn: fetchSession, staleTime: 60_000 });
}

/** Whether the instance still needs its first owner. */
export function useSetupStatus() {
  return useQuery({
    queryKey: setupKey,
    queryFn: () => api<{ needed: boolean }>('GET', '/api/v1/setup'),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Stores a fresh session (after sign-in, setup, accepting an invitation or switching workspace). */
function adoptSession(queryClient: QueryClient, session: Session): void {
  // Everything cached belonged to the previous person or workspace.
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] && q.queryKey[0] !== setupKey[0] });
  queryClient.setQueryData(setupKey, { needed: false });
  queryClient.setQueryData(sessionKey, session);
}

export function useSetup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SetupInput) => sessionCall(api<Session>('POST', '/api/v1/setup', { body: input })),
    onSuccess: (session) => adoptSession(queryClient, session),
  });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: LoginInput) => sessionCall(api<Session>('POST', '/api/v1/auth/login', { body: input })),
    onSuccess: (session) => adoptSession(queryClient, session),
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('POST', '/api/v1/auth/logout'),
    // On failure the cookie may still be valid, so the person stays signed in and sees the error.
    onSuccess: () => {
      setCsrfToken(null);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== setupKey[0] });
      queryClient.setQueryData(sessionKey, null);
    },
  });
}

export function useSwitchWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (workspaceId: string) =>
      sessionCall(api<Session>('POST', '/api/v1/session/workspace', { body: { workspaceId } })),
    onSuccess: (session) => adoptSession(queryClient, session),
  });
}

export function useInvitation(token: string) {
  return useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api<Invitation>('GET', '/api/v1/invitations/lookup', { query: { token } }),
    retry: false,
  });
}

export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: AcceptInvitationInput) =>
      sessionCall(api<Session>('POST', '/api/v1/invitations/accept', { body: input })),
    onSuccess: (session) => adoptSession(queryClient, session),
  });
}

export interface PasswordResetLookup {
  email: string;
  workspaceName: string;
  expiresAt: string;
}

/** What a password reset link is for (public: the person is not signed in). */
export function usePasswordReset(token: string) {
  return useQuery({
    queryKey: ['password-reset', token],
    queryFn: () => api<PasswordResetLookup>('GET', '/api/v1/password-resets/lookup', { query: { token } }),
    retry: false,
  });
}

/** Sets a new password with a reset link; every session of that person ends, this browser's too. */
export function useCompletePasswordReset() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { token: string; password: string }) =>
      api<void>('POST', '/api/v1/password-resets/complete', { body: input }),
    onSuccess: () => {
      setCsrfToken(null);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== setupKey[0] });
      queryClient.setQueryData(sessionKey, null);
    },
  });
}
