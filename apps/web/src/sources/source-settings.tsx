import { Alert, Button, Group, Modal, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconKey, IconPlugConnectedX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { describeError, placeError } from '../ui/errors';
import { type Source, useDeleteSource, useRenameSource, useRotateKey } from './api';

/** Grace periods offered when rotating a key, in hours (the API allows 0–720). */
const GRACE_HOURS = [0, 1, 24, 72, 168, 720] as const;

/** Rename, rotate the write key (with a grace period) and disconnect a source. */
export function SourceSettings({ source }: { source: Source }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const rename = useRenameSource(source.id);
  const rotate = useRotateKey(source.id);
  const remove = useDeleteSource(source.id);
  const [grace, setGrace] = useState('24');
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [renameAlert, setRenameAlert] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: source.name },
    validate: { name: (v) => (v.trim() ? null : t('validation.required')) },
  });

  const graceLabel = (hours: number) =>
    hours === 0
      ? t('sources.settings.graceNone')
      : hours % 24 === 0
        ? t('sources.settings.graceDays', { count: hours / 24 })
        : t('sources.settings.graceHours', { count: hours });

  const submitRename = form.onSubmit((values) => {
    setRenameAlert(null);
    rename.mutate(values.name.trim(), {
      onSuccess: () => {
        form.resetDirty();
        notifications.show({ color: 'green', message: t('sources.settings.renamed') });
      },
      onError: (error) => setRenameAlert(placeError(t, error, form, ['name'])),
    });
  });

  const doRotate = () => {
    setActionError(null);
    rotate.mutate(Number(grace), {
      onSuccess: () => {
        setConfirm(null);
        notifications.show({ color: 'green', message: t('sources.settings.rotated') });
      },
      onError: (error) => setActionError(describeError(t, error)),
    });
  };
  const doDelete = () => {
    setActionError(null);
    remove.mutate(undefined, {
      onSuccess: () => {
        notifications.show({ message: t('sources.settings.deleted') });
        navigate('/sources', { replace: true });
      },
      onError: (error) => setActionError(describeError(t, error)),
    });
  };

  return (
    <Stack gap="lg">
      <Paper withBorder radius="md" p="lg">
        <form onSubmit={submitRename} noValidate>
          <Stack gap="sm">
            <Title order={2} size="h4">
              {t('sources.settings.renameTitle')}
            </Title>
            {renameAlert ? (
              <Alert color="red" icon={<IconAlertCircle />}>
                {renameAlert}
              </Alert>
            ) : null}
            <Group align="flex-start" gap="sm">
              <TextInput label={t('sources.name')} required flex={1} maw={420} {...form.getInputProps('name')} />
              <Button type="submit" mt={25} loading={rename.isPending} disabled={!form.isDirty()}>
                {t('sources.settings.rename')}
              </Button>
            </Group>
          </Stack>
        </form>
      </Paper>

      <Paper withBorder radius="md" p="lg">
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('sources.settings.rotateTitle')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('sources.settings.rotateDescription')}
          </Text>
          <Group align="flex-end" gap="sm">
            <Select
              label={t('sources.settings.grace')}
              value={grace}
              onChange={(v) => v && setGrace(v)}
              allowDeselect={false}
              data={GRACE_HOURS.map((h) => ({ value: String(h), label: graceLabel(h) }))}
              w={280}
            />
            <Button
              variant="light"
              leftSection={<IconKey size={16} aria-hidden />}
              onClick={() => {
                setActionError(null);
                setConfirm('rotate');
              }}
            >
              {t('sources.settings.rotate')}
            </Button>
          </Group>
        </Stack>
      </Paper>

      <Paper withBorder radius="md" p="lg">
        <Stack gap="sm" align="flex-start">
          <Title order={2} size="h4">
            {t('sources.settings.deleteTitle')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('sources.settings.deleteDescription')}
          </Text>
          <Button
            color="red"
            variant="light"
            leftSection={<IconPlugConnectedX size={16} aria-hidden />}
            onClick={() => {
              setActionError(null);
              setConfirm('delete');
            }}
          >
            {t('sources.settings.delete')}
          </Button>
        </Stack>
      </Paper>

      <Modal
        opened={confirm !== null}
        onClose={() => setConfirm(null)}
        centered
        title={
          confirm === 'delete'
            ? t('sources.settings.deleteConfirmTitle', { name: source.name })
            : t('sources.settings.rotateConfirmTitle')
        }
      >
        <Stack gap="md">
          <Text size="sm">
            {confirm === 'delete' ? t('sources.settings.deleteConfirm') : t('sources.settings.rotateConfirm')}
          </Text>
          {actionError ? (
            <Alert color="red" icon={<IconAlertCircle />}>
              {actionError}
            </Alert>
          ) : null}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={() => setConfirm(null)} data-autofocus>
              {t('sources.cancel')}
            </Button>
            {confirm === 'delete' ? (
              <Button color="red" onClick={doDelete} loading={remove.isPending}>
                {t('sources.settings.delete')}
              </Button>
            ) : (
              <Button onClick={doRotate} loading={rotate.isPending}>
                {t('sources.settings.rotate')}
              </Button>
            )}
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
