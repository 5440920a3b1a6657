import { Alert, Anchor, Button, Collapse, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconClockHour4, IconInfoCircle, IconKey } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useLogin } from '../api/session';
import { AuthLayout } from '../ui/auth-layout';
import { placeError } from '../ui/errors';
import { PasswordField } from '../ui/password-field';
import { FormAlert } from '../ui/states';
import { useAutofocus } from '../ui/use-autofocus';
import { useCountdown } from '../ui/use-countdown';
import { usePageTitle } from '../ui/use-page-title';
import { email, password } from './validation';

const FIELDS = ['email', 'password'] as const;

/** Why someone landed on the sign-in page, passed in the router state. */
export type LoginNotice = 'signedOut' | 'alreadySetUp' | 'passwordReset';

const NOTICES = {
  signedOut: 'login.signedOut',
  alreadySetUp: 'errors.alreadySetUp',
  passwordReset: 'login.passwordReset',
} as const;

/** Sign-in with email and password. Where to go next is decided by the route guard. */
export function LoginPage() {
  const { t } = useTranslation();
  usePageTitle(t('login.title'));
  const location = useLocation();
  const notice = (location.state as { notice?: LoginNotice } | null)?.notice;
  const login = useLogin();
  const [alert, setAlert] = useState<string | null>(null);
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const waitSeconds = useCountdown(retryAt);
  const firstField = useAutofocus<HTMLInputElement>();
  const [forgotOpen, setForgotOpen] = useState(false);

  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: { email: email(t), password: password(t) },
  });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    setRetryAt(null);
    try {
      await login.mutateAsync({ email: values.email.trim(), password: values.password });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'rate_limited') {
        setRetryAt(Date.now() + (error.retryAfter ?? 60) * 1000);
        return;
      }
      setAlert(placeError(t, error, form, FIELDS));
    }
  });

  return (
    <AuthLayout title={t('login.title')} intro={t('login.intro')}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {notice && !alert && !waitSeconds ? (
            <Alert color={notice === 'passwordReset' ? 'green' : 'blue'} icon={<IconInfoCircle />}>
              {t(NOTICES[notice] ?? NOTICES.signedOut)}
            </Alert>
          ) : null}
          {waitSeconds > 0 ? (
            <Alert color="orange" icon={<IconClockHour4 />} title={t('errors.title')}>
              {t('errors.rateLimited', { count: waitSeconds })}
            </Alert>
          ) : null}
          <FormAlert>{alert}</FormAlert>
          <TextInput
            ref={firstField}
            label={t('fields.email')}
            type="email"
            autoComplete="username"
            required
            {...form.getInputProps('email')}
          />
          <PasswordField
            label={t('fields.password')}
            autoComplete="current-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={login.isPending} disabled={waitSeconds > 0} fullWidth mt="xs">
            {t('login.submit')}
          </Button>
          <Group justify="center">
            <Anchor
              component="button"
              type="button"
              size="sm"
              aria-expanded={forgotOpen}
              aria-controls="forgot-password-help"
              onClick={() => setForgotOpen((o) => !o)}
            >
              {t('login.forgot')}
            </Anchor>
          </Group>
          <Collapse expanded={forgotOpen} id="forgot-password-help">
            <Alert color="gray" variant="light" icon={<IconKey />} title={t('login.forgotTitle')}>
              {t('login.forgotHelp')}
            </Alert>
          </Collapse>
        </Stack>
      </form>
    </AuthLayout>
  );
}
