import { Alert, Button, Group, Paper, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconLock } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../api/permissions';
import { required } from '../auth/validation';
import { placeError } from '../ui/errors';
import { WorkspaceDefaultsFields } from '../ui/workspace-defaults-fields';
import { useUpdateWorkspace, useWorkspace, type Workspace } from './api';
import { LoadError, SectionHeader, TableSkeleton } from './parts';

/** Business profile: name and the defaults that decide how dates, numbers and money are written. */
export function ProfileTab() {
  const { t } = useTranslation();
  const workspace = useWorkspace();
  return (
    <Stack gap="lg">
      <SectionHeader title={t('settings.tabs.profile')} intro={t('settings.profile.intro')} />
      {workspace.isPending ? (
        <TableSkeleton rows={4} />
      ) : workspace.isError ? (
        <LoadError error={workspace.error} retry={() => void workspace.refetch()} />
      ) : (
        <ProfileForm key={workspace.data.id} workspace={workspace.data} />
      )}
    </Stack>
  );
}

const FIELDS = ['name', 'defaultCountry', 'currency', 'timezone', 'locale'] as const;

function ProfileForm({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const canWrite = useCan('workspace', 'write');
  const update = useUpdateWorkspace();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    initialValues: {
      name: workspace.name,
      defaultCountry: workspace.defaultCountry,
      currency: workspace.currency,
      timezone: workspace.timezone,
      locale: workspace.locale,
    },
    validate: { name: required(t) },
  });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      const saved = await update.mutateAsync({ ...values, name: values.name.trim() });
      const next = {
        name: saved.name,
        defaultCountry: saved.defaultCountry,
        currency: saved.currency,
        timezone: saved.timezone,
        locale: saved.locale,
      };
      form.setInitialValues(next);
      form.setValues(next);
      notifications.show({ color: 'teal', message: t('settings.profile.saved') });
    } catch (error) {
      setAlert(placeError(t, error, form, FIELDS));
    }
  });

  return (
    <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }} maw={760}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {!canWrite ? (
            <Alert color="gray" variant="light" icon={<IconLock />}>
              {t('settings.readOnly')}
            </Alert>
          ) : null}
          {alert ? (
            <Alert color="red" icon={<IconAlertCircle />} title={t('errors.title')}>
              {alert}
            </Alert>
          ) : null}
          <TextInput
            label={t('settings.profile.name')}
            autoComplete="organization"
            required
            disabled={!canWrite}
            {...form.getInputProps('name')}
          />
          <WorkspaceDefaultsFields form={form} disabled={!canWrite} />
          {canWrite ? (
            <Group justify="flex-end">
              <Button type="submit" loading={update.isPending} disabled={!form.isDirty()}>
                {t('settings.profile.save')}
              </Button>
            </Group>
          ) : null}
        </Stack>
      </form>
    </Paper>
  );
}
