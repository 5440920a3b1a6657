import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertCircle } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { type PasswordResetLookup, useCompletePasswordReset, usePasswordReset } from '../api/session';
import { AuthLayout } from '../ui/auth-layout';
import { describeError, placeError } from '../ui/errors';
import { PageLoader } from '../ui/page-loader';
import { PasswordField } from '../ui/password-field';
import { FormAlert } from '../ui/states';
import { useAutofocus } from '../ui/use-autofocus';
import { usePageTitle } from '../ui/use-page-title';
import type { LoginNotice } from './login-page';
import { MIN_PASSWORD_LENGTH, newPassword } from './validation';

/** Opened from the link an owner or admin passed on: the person chooses a new password. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const reset = usePasswordReset(token);
  if (reset.isPending) {
    return (
      <AuthLayout title={t('app.loading')}>
        <PageLoader />
      </AuthLayout>
    );
  }
  if (reset.isError) return <InvalidLink error={reset.error} />;
  return <NewPasswordForm token={token} reset={reset.data} />;
}

function describeResetError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'not_found') return t('resetPassword.notFound');
    if (error.code === 'already_used') return t('resetPassword.alreadyUsed');
    if (error.code === 'expired') return t('resetPassword.expired');
  }
  return describeError(t, error);
}

function InvalidLink({ error }: { error: unknown }) {
  const { t } = useTranslation();
  usePageTitle(t('resetPassword.invalidTitle'));
  return (
    <AuthLayout title={t('resetPassword.invalidTitle')}>
      <Alert color="red" icon={<IconAlertCircle />}>
        {describeResetError(t, error)}
      </Alert>
      <Anchor component={RouterLink} to="/login">
        {t('invite.toLogin')}
      </Anchor>
    </AuthLayout>
  );
}

function NewPasswordForm({ token, reset }: { token: string; reset: PasswordResetLookup }) {
  const { t, i18n } = useTranslation();
  usePageTitle(t('resetPassword.title'));
  const navigate = useNavigate();
  const complete = useCompletePasswordReset();
  const [alert, setAlert] = useState<string | null>(null);
  const firstField = useAutofocus<HTMLInputElement>();
  const form = useForm({ initialValues: { password: '' }, validate: { password: newPassword(t) } });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      await complete.mutateAsync({ token, password: values.password });
      const notice: LoginNotice = 'passwordReset';
      navigate('/login', { replace: true, state: { notice } });
    } catch (error) {
      setAlert(
        error instanceof ApiError && error.field === 'token'
          ? describeResetError(t, error)
          : placeError(t, error, form, ['password']),
      );
    }
  });

  const expiresAt = new Date(reset.expiresAt);
  const expires = Number.isNaN(expiresAt.getTime())
    ? null
    : new Intl.DateTimeFormat(i18n.language, { dateStyle: 'long', timeStyle: 'short' }).format(expiresAt);

  return (
    <AuthLayout
      title={t('resetPassword.title')}
      intro={t('resetPassword.intro', { email: reset.email, workspace: reset.workspaceName })}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert>{alert}</FormAlert>
          <TextInput
            label={t('resetPassword.email')}
            value={reset.email}
            readOnly
            variant="filled"
            autoComplete="username"
          />
          <PasswordField
            ref={firstField}
            label={t('fields.password')}
            description={t('fields.newPasswordDescription', { count: MIN_PASSWORD_LENGTH })}
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={complete.isPending} fullWidth mt="xs">
            {t('resetPassword.submit')}
          </Button>
          {expires ? (
            <Text size="xs" c="dimmed">
              {t('resetPassword.expires', { date: expires })}
            </Text>
          ) : null}
        </Stack>
      </form>
    </AuthLayout>
  );
}
