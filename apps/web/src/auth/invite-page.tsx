import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertCircle } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { type Invitation, useAcceptInvitation, useInvitation } from '../api/session';
import { AuthLayout } from '../ui/auth-layout';
import { describeError, placeError } from '../ui/errors';
import { PageLoader } from '../ui/page-loader';
import { PasswordField } from '../ui/password-field';
import { FormAlert } from '../ui/states';
import { useAutofocus } from '../ui/use-autofocus';
import { usePageTitle } from '../ui/use-page-title';
import { MIN_PASSWORD_LENGTH, newPassword, required } from './validation';

/** Opened from an invitation email: shows what the invitation is for, then joins and signs in. */
export function InvitePage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const invitation = useInvitation(token);

  if (invitation.isPending) {
    return (
      <AuthLayout title={t('app.loading')}>
        <PageLoader />
      </AuthLayout>
    );
  }
  if (invitation.isError) return <InvalidInvitation error={invitation.error} />;
  return <AcceptInvitationForm token={token} invitation={invitation.data} />;
}

/** Invitation-specific wording for the token's errors (unknown, used, expired); the generic one otherwise. */
function describeInvitationError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'not_found') return t('invite.notFound');
    if (error.code === 'already_accepted') return t('invite.alreadyAccepted');
    if (error.code === 'expired') return t('invite.expired');
  }
  return describeError(t, error);
}

function InvalidInvitation({ error }: { error: unknown }) {
  const { t } = useTranslation();
  usePageTitle(t('invite.invalidTitle'));
  const message = describeInvitationError(t, error);
  return (
    <AuthLayout title={t('invite.invalidTitle')}>
      <Alert color="red" icon={<IconAlertCircle />}>
        {message}
      </Alert>
      <Anchor component={RouterLink} to="/login">
        {t('invite.toLogin')}
      </Anchor>
    </AuthLayout>
  );
}

const FIELDS = ['name', 'password'] as const;

function AcceptInvitationForm({ token, invitation }: { token: string; invitation: Invitation }) {
  const { t, i18n } = useTranslation();
  const title = t('invite.title', { workspace: invitation.workspaceName });
  usePageTitle(title);
  const navigate = useNavigate();
  const accept = useAcceptInvitation();
  const [alert, setAlert] = useState<string | null>(null);
  const firstField = useAutofocus<HTMLInputElement>();

  const form = useForm({
    initialValues: { name: '', password: '' },
    validate: { name: required(t), password: newPassword(t) },
  });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      await accept.mutateAsync({ token, name: values.name.trim() || undefined, password: values.password });
      navigate('/', { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'invalid_credentials') {
        // The invited email already has an account: the password must be that account's.
        form.setFieldError('password', t('invite.existingAccount'));
        return;
      }
      setAlert(
        error instanceof ApiError && error.field === 'token'
          ? describeInvitationError(t, error)
          : placeError(t, error, form, FIELDS),
      );
    }
  });

  const expiresAt = new Date(invitation.expiresAt);
  const expires = Number.isNaN(expiresAt.getTime())
    ? null
    : new Intl.DateTimeFormat(i18n.language, { dateStyle: 'long', timeStyle: 'short' }).format(expiresAt);

  return (
    <AuthLayout title={title} intro={t('invite.intro', { role: t(`roles.${invitation.role}`) })}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert>{alert}</FormAlert>
          <TextInput label={t('invite.workspace')} value={invitation.workspaceName} readOnly variant="filled" />
          <TextInput
            label={t('invite.email')}
            value={invitation.email}
            readOnly
            variant="filled"
            autoComplete="username"
          />
          <TextInput label={t('invite.role')} value={t(`roles.${invitation.role}`)} readOnly variant="filled" />
          <TextInput
            ref={firstField}
            label={t('fields.name')}
            autoComplete="name"
            required
            {...form.getInputProps('name')}
          />
          <PasswordField
            label={t('fields.password')}
            description={t('fields.newPasswordDescription', { count: MIN_PASSWORD_LENGTH })}
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={accept.isPending} fullWidth mt="xs">
            {t('invite.submit')}
          </Button>
          {expires ? (
            <Text size="xs" c="dimmed">
              {t('invite.expires', { date: expires })}
            </Text>
          ) : null}
        </Stack>
      </form>
    </AuthLayout>
  );
}
