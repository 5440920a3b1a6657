import { Alert, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { MIN_PASSWORD_LENGTH, newPassword, password } from '../auth/validation';
import { useCurrentSession } from '../shell/guards';
import { placeError } from '../ui/errors';
import { PasswordField } from '../ui/password-field';
import { usePageTitle } from '../ui/use-page-title';

const FIELDS = ['currentPassword', 'newPassword'] as const;

/** My account, at /account (from the user menu): who is signed in, and changing one's own password. */
export function AccountPage() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  usePageTitle(t('settings.account.title'));
  return (
    <Stack gap="lg" maw={760}>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {t('settings.account.title')}
        </Title>
        <Text c="dimmed">{t('settings.account.intro')}</Text>
      </Stack>
      <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }}>
        <Stack gap="md">
          <TextInput label={t('settings.account.email')} value={session.user.email} readOnly variant="filled" />
          {session.user.name ? (
            <TextInput label={t('settings.account.name')} value={session.user.name} readOnly variant="filled" />
          ) : null}
        </Stack>
      </Paper>
      <ChangePasswordForm email={session.user.email} />
    </Stack>
  );
}

function ChangePasswordForm({ email }: { email: string }) {
  const { t } = useTranslation();
  const [alert, setAlert] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      api<void>('POST', '/api/v1/auth/password', { body }),
  });
  const form = useForm({
    initialValues: { currentPassword: '', newPassword: '', confirm: '' },
    validate: {
      currentPassword: password(t),
      newPassword: newPassword(t),
      confirm: (value, values) => (value === values.newPassword ? null : t('settings.account.mismatch')),
    },
  });

  const submit = form.onSubmit(async ({ currentPassword, newPassword: next }) => {
    setAlert(null);
    try {
      await change.mutateAsync({ currentPassword, newPassword: next });
      form.reset();
      notifications.show({ color: 'teal', message: t('settings.account.changed') });
    } catch (error) {
      setAlert(placeError(t, error, form, FIELDS));
    }
  });

  return (
    <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }} component="section" aria-labelledby="change-password">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Stack gap={4}>
            <Title order={2} size="h4" id="change-password">
              {t('settings.account.passwordTitle')}
            </Title>
            <Text c="dimmed" size="sm">
              {t('settings.account.passwordIntro')}
            </Text>
          </Stack>
          {alert ? (
            <Alert color="red" icon={<IconAlertCircle />} title={t('errors.title')}>
              {alert}
            </Alert>
          ) : null}
          {/* For password managers: whose password this is. */}
          <input type="hidden" name="username" autoComplete="username" value={email} readOnly />
          <PasswordField
            label={t('settings.account.currentPassword')}
            autoComplete="current-password"
            required
            {...form.getInputProps('currentPassword')}
          />
          <PasswordField
            label={t('settings.account.newPassword')}
            description={t('fields.newPasswordDescription', { count: MIN_PASSWORD_LENGTH })}
            autoComplete="new-password"
            required
            {...form.getInputProps('newPassword')}
          />
          <PasswordField
            label={t('settings.account.confirm')}
            autoComplete="new-password"
            required
            {...form.getInputProps('confirm')}
          />
          <Group justify="flex-end">
            <Button type="submit" loading={change.isPending}>
              {t('settings.account.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
