import { Anchor, Button, Group, Modal, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconPlugConnected, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useNavigate } from 'react-router-dom';
import { useCanWrite } from '../shell/use-can';
import { placeError } from '../ui/errors';
import { DataTable, EmptyPanel, FormAlert, QueryStates } from '../ui/states';
import { useDateFormat } from '../ui/use-date-format';
import { usePageTitle } from '../ui/use-page-title';
import { CHANNELS, type Channel, useCreateSource, useSources } from './api';
import { ChannelIcon } from './channels';

const FIELDS = ['name', 'channel'] as const;

/** The form that connects a channel: a name and a channel type; opens the new source on success. */
function CreateSourceModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const create = useCreateSource();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '', channel: 'web' as Channel },
    validate: {
      name: (v) => (v.trim() ? null : t('validation.required')),
      channel: (v) => (v ? null : t('validation.required')),
    },
  });
  const close = () => {
    form.reset();
    setAlert(null);
    onClose();
  };
  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      const source = await create.mutateAsync({ name: values.name.trim(), channel: values.channel });
      notifications.show({ color: 'green', message: t('sources.created', { name: source.name }) });
      close();
      navigate(`/sources/${source.id}`);
    } catch (error) {
      setAlert(placeError(t, error, form, FIELDS));
    }
  });

  return (
    <Modal opened={opened} onClose={close} title={t('sources.createTitle')} centered>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert>{alert}</FormAlert>
          <TextInput
            label={t('sources.name')}
            description={t('sources.nameDescription')}
            placeholder={t('sources.namePlaceholder')}
            required
            data-autofocus
            {...form.getInputProps('name')}
          />
          <Select
            label={t('sources.channel')}
            description={t('sources.channelDescription')}
            required
            allowDeselect={false}
            data={CHANNELS.map((c) => ({ value: c, label: t(`sources.channels.${c}`) }))}
            renderOption={({ option }) => (
              <Group gap="xs" wrap="nowrap">
                <ChannelIcon channel={option.value as Channel} size={16} />
                <span>{option.label}</span>
              </Group>
            )}
            leftSection={<ChannelIcon channel={form.values.channel} size={16} />}
            {...form.getInputProps('channel')}
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              {t('sources.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('sources.createSubmit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Sources: every connected channel, and connecting a new one. */
export function SourcesPage() {
  const { t } = useTranslation();
  usePageTitle(t('sources.title'));
  const canWrite = useCanWrite('sources');
  const sources = useSources();
  const dates = useDateFormat();
  const [creating, setCreating] = useState(false);

  const createButton = canWrite ? (
    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
      {t('sources.create')}
    </Button>
  ) : null;

  const body = (
    <QueryStates
      query={sources}
      loadErrorTitle={t('sources.loadError')}
      empty={
        <EmptyPanel
          icon={<IconPlugConnected size={28} stroke={1.5} aria-hidden />}
          title={t('sources.emptyTitle')}
          description={canWrite ? t('sources.emptyDescription') : t('sources.emptyReadOnly')}
          action={createButton}
        />
      }
    >
      {(rows) => (
        <DataTable
          minWidth={560}
          columns={[
            { label: t('sources.columns.name') },
            { label: t('sources.columns.channel') },
            { label: t('sources.columns.lastEvent') },
            { label: t('sources.columns.created') },
          ]}
        >
          {rows.map((source) => (
            <Table.Tr key={source.id}>
              <Table.Td>
                <Anchor component={RouterLink} to={`/sources/${source.id}`} fw={500}>
                  {source.name}
                </Anchor>
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <ChannelIcon channel={source.channel} size={16} />
                  <Text size="sm">{t(`sources.channels.${source.channel}`)}</Text>
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={source.lastEventAt ? undefined : 'dimmed'}>
                  {source.lastEventAt ? dates.format(source.lastEventAt) : t('sources.never')}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{dates.format(source.createdAt)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </QueryStates>
  );

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-start" gap="md">
        <Stack gap={4} maw={680}>
          <Title order={1} size="h2">
            {t('sources.title')}
          </Title>
          <Text c="dimmed">{t('sources.intro')}</Text>
        </Stack>
        {sources.data?.length ? createButton : null}
      </Group>
      {body}
      {canWrite ? <CreateSourceModal opened={creating} onClose={() => setCreating(false)} /> : null}
    </Stack>
  );
}
