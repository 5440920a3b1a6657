import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../api/permissions';
import { required } from '../auth/validation';
import { describeError, placeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { FormAlert } from '../ui/states';
import {
  useCreateWebhookEndpoint,
  useDeleteWebhookEndpoint,
  usePingWebhookEndpoint,
  useRotateWebhookSecret,
  useUpdateWebhookEndpoint,
  useWebhookDeliveries,
  useWebhookEndpoints,
  type WebhookDelivery,
  type WebhookEndpoint,
} from './api';
import { CopyField, LoadError, SectionHeader, TableSkeleton } from './parts';

const OUTCOME_COLORS: Record<WebhookDelivery['outcome'], string> = {
  delivered: 'teal',
  retrying: 'yellow',
  failed: 'red',
};

/** Webhooks: the endpoints Kith POSTs signed JSON to, their secrets (shown once) and every delivery attempt. */
export function WebhooksTab() {
  const { t } = useTranslation();
  const canWrite = useCan('channel_settings', 'write');
  const endpoints = useWebhookEndpoints();
  const [opened, { open, close }] = useDisclosure(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const selected = endpoints.data?.find((e) => e.id === logOf) ?? null;
  return (
    <Stack gap="lg">
      <SectionHeader
        title={t('settings.tabs.webhooks')}
        intro={t('settings.webhooks.intro')}
        action={
          canWrite ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={open}>
              {t('settings.webhooks.create')}
            </Button>
          ) : null
        }
      />
      {endpoints.isPending ? (
        <TableSkeleton rows={3} />
      ) : endpoints.isError ? (
        <LoadError error={endpoints.error} retry={() => void endpoints.refetch()} />
      ) : endpoints.data.length === 0 ? (
        <Text c="dimmed">{t('settings.webhooks.none')}</Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" aria-label={t('settings.tabs.webhooks')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('settings.webhooks.name')}</Table.Th>
                <Table.Th>{t('settings.webhooks.url')}</Table.Th>
                <Table.Th>{t('settings.webhooks.enabled')}</Table.Th>
                <Table.Th>{t('settings.webhooks.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {endpoints.data.map((e) => (
                <EndpointRow
                  key={e.id}
                  endpoint={e}
                  canWrite={canWrite}
                  showingLog={logOf === e.id}
                  onToggleLog={() => setLogOf(logOf === e.id ? null : e.id)}
                  onSecret={(s) => setSecret({ name: e.name, secret: s })}
                />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {selected ? <DeliveryLog endpoint={selected} /> : null}
      <Text size="sm" c="dimmed">
        {t('settings.webhooks.verifyHelp')}
      </Text>
      {canWrite ? (
        <CreateEndpointModal
          opened={opened}
          onClose={close}
          onCreated={(name, s) => {
            close();
            setSecret({ name, secret: s });
          }}
        />
      ) : null}
      <Modal opened={!!secret} onClose={() => setSecret(null)} size="lg" title={t('settings.webhooks.secretTitle')}>
        {secret ? (
          <Stack gap="md">
            <Text size="sm">{t('settings.webhooks.secretBody', { name: secret.name })}</Text>
            <CopyField label={t('settings.webhooks.secret')} value={secret.secret} mono />
            <Group justify="flex-end">
              <Button onClick={() => setSecret(null)} data-autofocus>
                {t('settings.done')}
              </Button>
            </Group>
          </Stack>
        ) : null}
      </Modal>
    </Stack>
  );
}

function EndpointRow({
  endpoint: e,
  canWrite,
  showingLog,
  onToggleLog,
  onSecret,
}: {
  endpoint: WebhookEndpoint;
  canWrite: boolean;
  showingLog: boolean;
  onToggleLog: () => void;
  onSecret: (secret: string) => void;
}) {
  const { t } = useTranslation();
  const update = useUpdateWebhookEndpoint();
  const remove = useDeleteWebhookEndpoint();
  const rotate = useRotateWebhookSecret();
  const ping = usePingWebhookEndpoint();
  const fail = (error: unknown) => notifications.show({ color: 'red', message: describeError(t, error) });
  return (
    <Table.Tr>
      <Table.Td fw={500}>{e.name}</Table.Td>
      <Table.Td style={{ wordBreak: 'break-all' }}>
        <Code>{e.url}</Code>
      </Table.Td>
      <Table.Td>
        <Switch
          checked={e.enabled}
          disabled={!canWrite || update.isPending}
          aria-label={t('settings.webhooks.enabledFor', { name: e.name })}
          onChange={(ev) => update.mutate({ id: e.id, enabled: ev.currentTarget.checked }, { onError: fail })}
        />
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="wrap">
          <Button size="xs" variant="default" onClick={onToggleLog} aria-expanded={showingLog}>
            {showingLog ? t('settings.webhooks.hideLog') : t('settings.webhooks.showLog')}
          </Button>
          {canWrite ? (
            <>
              <Button
                size="xs"
                variant="default"
                loading={ping.isPending}
                onClick={() =>
                  ping.mutate(e.id, {
                    onSuccess: (d) =>
                      notifications.show({
                        color: d.outcome === 'delivered' ? 'teal' : 'red',
                        message:
                          d.outcome === 'delivered'
                            ? t('settings.webhooks.pingOk', { status: d.statusCode ?? '' })
                            : t('settings.webhooks.pingFailed', { error: d.error ?? '' }),
                      }),
                    onError: fail,
                  })
                }
              >
                {t('settings.webhooks.ping')}
              </Button>
              <Button
                size="xs"
                variant="default"
                loading={rotate.isPending}
                onClick={() => rotate.mutate(e.id, { onSuccess: (r) => onSecret(r.secret), onError: fail })}
              >
                {t('settings.webhooks.rotate')}
              </Button>
              <Button
                size="xs"
                variant="subtle"
                color="red"
                loading={remove.isPending}
                onClick={() => {
                  if (window.confirm(t('settings.webhooks.deleteConfirm', { name: e.name })))
                    remove.mutate(e.id, { onError: fail });
                }}
              >
                {t('settings.webhooks.delete')}
              </Button>
            </>
          ) : null}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

function CreateEndpointModal({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (name: string, secret: string) => void;
}) {
  const { t } = useTranslation();
  const create = useCreateWebhookEndpoint();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '', url: '' },
    validate: {
      name: required(t),
      url: (v) => (/^https?:\/\/\S+$/i.test(v.trim()) ? null : t('settings.webhooks.urlInvalid')),
    },
  });
  const close = () => {
    onClose();
    setAlert(null);
    form.reset();
  };
  const submit = form.onSubmit(async (v) => {
    setAlert(null);
    try {
      const r = await create.mutateAsync({ name: v.name.trim(), url: v.url.trim() });
      form.reset();
      onCreated(r.name, r.secret);
    } catch (error) {
      setAlert(placeError(t, error, form, ['name', 'url']));
    }
  });
  return (
    <Modal opened={opened} onClose={close} title={t('settings.webhooks.create')}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert>{alert}</FormAlert>
          <TextInput
            label={t('settings.webhooks.name')}
            description={t('settings.webhooks.nameHelp')}
            required
            data-autofocus
            {...form.getInputProps('name')}
          />
          <TextInput
            label={t('settings.webhooks.url')}
            description={t('settings.webhooks.urlHelp')}
            placeholder="https://"
            type="url"
            required
            {...form.getInputProps('url')}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('settings.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending}>
              {t('settings.webhooks.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DeliveryLog({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { t } = useTranslation();
  const format = useFormat();
  const log = useWebhookDeliveries(endpoint.id);
  return (
    <Paper withBorder radius="md" p={{ base: 'md', sm: 'lg' }}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {t('settings.webhooks.logTitle', { name: endpoint.name })}
          </Title>
          <Button size="xs" variant="default" onClick={() => void log.refetch()} loading={log.isFetching}>
            {t('settings.webhooks.refresh')}
          </Button>
        </Group>
        {log.isPending ? (
          <TableSkeleton rows={3} />
        ) : log.isError ? (
          <Alert color="red" role="alert">
            {describeError(t, log.error)}
          </Alert>
        ) : log.data.length === 0 ? (
          <Text c="dimmed" size="sm">
            {t('settings.webhooks.logEmpty')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table fz="sm" verticalSpacing={6} aria-label={t('settings.webhooks.logTitle', { name: endpoint.name })}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('settings.webhooks.at')}</Table.Th>
                  <Table.Th>{t('settings.webhooks.attempt')}</Table.Th>
                  <Table.Th>{t('settings.webhooks.outcome')}</Table.Th>
                  <Table.Th>{t('settings.webhooks.statusCode')}</Table.Th>
                  <Table.Th>{t('settings.webhooks.duration')}</Table.Th>
                  <Table.Th>{t('settings.webhooks.answer')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {log.data.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.dateTime(d.at)}</Table.Td>
                    <Table.Td>{d.messageId ? d.attempt : t('settings.webhooks.pingAttempt')}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={OUTCOME_COLORS[d.outcome]} tt="none">
                        {t(`settings.webhooks.outcomes.${d.outcome}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{d.statusCode ?? '—'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {t('settings.webhooks.ms', { ms: format.number(d.durationMs) })}
                    </Table.Td>
                    <Table.Td style={{ wordBreak: 'break-word' }}>
                      {d.error ? <Text size="sm">{d.error}</Text> : null}
                      {d.responseExcerpt ? <Code block>{d.responseExcerpt.slice(0, 300)}</Code> : null}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
