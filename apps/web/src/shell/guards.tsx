import { Alert, Button, Stack } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useOutletContext } from 'react-router-dom';
import { type Session, useSession, useSetupStatus } from '../api/session';
import { AuthLayout } from '../ui/auth-layout';
import { describeError } from '../ui/errors';
import { PageLoader } from '../ui/page-loader';
import { AppLayout } from './app-layout';

/** Shown when the first calls fail (server down, network gone), with a way to try again. */
function Unavailable({ error, retry }: { error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  return (
    <AuthLayout title={t('errors.unavailableTitle')}>
      <Stack gap="md">
        <Alert color="red" icon={<IconAlertCircle />}>
          {describeError(t, error)}
        </Alert>
        <Button onClick={retry}>{t('errors.retry')}</Button>
      </Stack>
    </AuthLayout>
  );
}

/** Sends everyone to /setup until the instance has its first owner, and away from it afterwards. */
export function SetupGate() {
  const setup = useSetupStatus();
  const { pathname } = useLocation();
  if (setup.isPending) return <PageLoader />;
  if (setup.isError) return <Unavailable error={setup.error} retry={() => void setup.refetch()} />;
  if (setup.data.needed && pathname !== '/setup') return <Navigate to="/setup" replace />;
  if (!setup.data.needed && pathname === '/setup') return <Navigate to="/" replace />;
  return <Outlet />;
}

/** Signed-in pages: the app shell, or the sign-in page remembering where the person was going. */
export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <PageLoader />;
  if (session.isError) return <Unavailable error={session.error} retry={() => void session.refetch()} />;
  if (!session.data) {
    return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}${location.hash}` }} />;
  }
  return <AppLayout session={session.data} />;
}

/** Pages for people not signed in (sign-in): a signed-in person goes where they were headed. */
export function GuestOnly({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <PageLoader />;
  if (session.data) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from?.startsWith('/') ? from : '/'} replace />;
  }
  return <>{children}</>;
}

/** The session of the signed-in page being rendered (inside RequireSession). */
export function useCurrentSession(): Session {
  return useOutletContext<Session>();
}
