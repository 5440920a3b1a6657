import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  EmptyState,
  Group,
  Modal,
  MultiSelect,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconExternalLink, IconKey, IconPlus } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PERMISSIONS, type Resource, useCan } from '../api/permissions';
import { required } from '../auth/validation';
import { describeError, placeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { FormAlert } from '../ui/states';
import { type ApiKey, useApiKeys, useCreateApiKey, useRevokeApiKey } from './api';
import { CopyField, LoadError, SectionHeader, TableSkeleton } from './parts';

const FAMILIES = ['read', 'write', 'admin'] as const;
const RESOURCES = Object.keys(PERMISSIONS) as Resource[];

/** A scope as a person reads it: "Read data", "Customers: read". */
function scopeLabel(t: TFunction, scope: string): string {
  if ((FAMILIES as readonly string[]).includes(scope)) return t(`settings.apiKeys.scopeNames.${scope as 'read'}`);
  const [resource, level] = scope.split(':') as [Resource, string];
  if (!RESOURCES.includes(resource)) return scope;
  const name = t(`settings.apiKeys.resources.${resource}`);
  return level === 'write'
    ? t('settings.apiKeys.scopeWrite', { resource: name })
    : t('settings.apiKeys.scopeRead', { resource: name });
}

/** API keys: create with scopes (the key is shown once), see when each was last used, revoke. */
export function ApiKeysTab() {
  const { t } = useTranslation();
  const f = useFormat();
  const canWrite = useCan('api_keys', 'write');
  const keys = useApiKeys();
  const [opened, { open, close }] = useDisclosure(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const createButton = canWrite ? (
    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={open}>
      {t('settings.apiKeys.create')}
    </Button>
  ) : null;
  const docs = (
    <Button component="a" href="/api/docs" variant="default" rightSection={<IconExternalLink size={16} aria-hidden />}>
      {t('settings.apiKeys.docs')}
    </Button>
  );

  return (
    <Stack gap="lg">
      <SectionHeader
        title={t('settings.tabs.apiKeys')}
        intro={t('settings.apiKeys.intro')}
        action={
          <Group gap="sm">
            {docs}
            {createButton}
          </Group>
        }
      />
      {keys.isPending ? (
        <TableSkeleton />
      ) : keys.isError ? (
        <LoadError error={keys.error} retry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <Paper withBorder radius="md" p="xl">
          <EmptyState variant="light" icon={<IconKey size={28} stroke={1.5} aria-hidden />}>
            <EmptyState.Title order={3}>{t('settings.apiKeys.emptyTitle')}</EmptyState.Title>
            <EmptyState.Description>{t('settings.apiKeys.emptyBody')}</EmptyState.Description>
            {createButton ? <EmptyState.Actions>{createButton}</EmptyState.Actions> : null}
          </EmptyState>
        </Paper>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('settings.apiKeys.name')}</Table.Th>
                <Table.Th>{t('settings.apiKeys.prefix')}</Table.Th>
                <Table.Th>{t('settings.apiKeys.scopes')}</Table.Th>
                <Table.Th>{t('settings.apiKeys.created')}</Table.Th>
                <Table.Th>{t('settings.apiKeys.lastUsed')}</Table.Th>
                {canWrite ? (
                  <Table.Th>
                    <VisuallyHidden>{t('settings.members.actions')}</VisuallyHidden>
                  </Table.Th>
                ) : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data.map((k) => (
                <Table.Tr key={k.id} c={k.revokedAt ? 'dimmed' : undefined}>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Text size="sm" fw={500}>
                        {k.name}
                      </Text>
                      {k.revokedAt ? (
                        <Badge size="sm" color="gray" variant="light">
                          {t('settings.apiKeys.revokedBadge')}
                        </Badge>
                      ) : null}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Code>{k.prefix}…</Code>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {k.scopes.map((s) => (
                        <Badge key={s} size="sm" variant="outline" tt="none">
                          {scopeLabel(t, s)}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{f.date(k.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{k.lastUsedAt ? f.dateTime(k.lastUsedAt) : t('settings.never')}</Text>
                  </Table.Td>
                  {canWrite ? (
                    <Table.Td ta="right">
                      {k.revokedAt ? null : (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red"
                          aria-label={t('settings.apiKeys.revokeLabel', { name: k.name })}
                          onClick={() => setRevoking(k)}
                        >
                          {t('settings.apiKeys.revoke')}
                        </Button>
                      )}
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canWrite ? <CreateKeyModal opened={opened} onClose={close} /> : null}
      <RevokeKeyModal apiKey={revoking} onClose={() => setRevoking(null)} />
    </Stack>
  );
}

function CreateKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const create = useCreateApiKey();
  const [key, setKey] = useState<string | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '', families: ['read'] as string[], specific: [] as string[] },
    validate: {
      name: required(t),
      families: (v, values) => (v.length + values.specific.length > 0 ? null : t('settings.apiKeys.pickScope')),
    },
  });
  const close = () => {
    onClose();
    setTimeout(() => {
      setKey(null);
      setAlert(null);
      form.reset();
    }, 200);
  };
  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      const r = await create.mutateAsync({
        name: values.name.trim(),
        scopes: [...values.families, ...values.specific],
      });
      setKey(r.key);
    } catch (error) {
      const message = describeError(t, error);
      // The server names `scopes`; here they are two controls, the first one carries it.
      if (error instanceof Error && 'field' in error && error.field === 'scopes')
        form.setFieldError('families', message);
      else setAlert(placeError(t, error, form, ['name']));
    }
  });
  const specificOptions = RESOURCES.flatMap((r) =>
    (['read', 'write'] as const).map((level) => ({ value: `${r}:${level}`, label: scopeLabel(t, `${r}:${level}`) })),
  );

  return (
    <Modal
      opened={opened}
      onClose={close}
      size="lg"
      title={key ? t('settings.apiKeys.readyTitle') : t('settings.apiKeys.create')}
    >
      {key ? (
        <Stack gap="md">
          <Text size="sm">{t('settings.apiKeys.readyBody')}</Text>
          <CopyField label={t('settings.apiKeys.key')} value={key} mono />
          <Group justify="flex-end">
            <Button onClick={close} data-autofocus>
              {t('settings.done')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <FormAlert>{alert}</FormAlert>
            <TextInput
              label={t('settings.apiKeys.name')}
              description={t('settings.apiKeys.nameDescription')}
              required
              data-autofocus
              {...form.getInputProps('name')}
            />
            <Checkbox.Group
              label={t('settings.apiKeys.scopes')}
              description={t('settings.apiKeys.scopesDescription')}
              {...form.getInputProps('families')}
            >
              <Stack gap="xs" mt="xs">
                {FAMILIES.map((family) => (
                  <Checkbox
                    key={family}
                    value={family}
                    label={t(`settings.apiKeys.scopeNames.${family}`)}
                    description={t(`settings.apiKeys.scopeHelp.${family}`)}
                  />
                ))}
              </Stack>
            </Checkbox.Group>
            <MultiSelect
              label={t('settings.apiKeys.specific')}
              description={t('settings.apiKeys.specificDescription')}
              placeholder={t('settings.apiKeys.specificPlaceholder')}
              data={specificOptions}
              searchable
              clearable
              nothingFoundMessage={t('fields.nothingFound')}
              {...form.getInputProps('specific')}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('settings.cancel')}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t('settings.apiKeys.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}

function RevokeKeyModal({ apiKey, onClose }: { apiKey: ApiKey | null; onClose: () => void }) {
  const { t } = useTranslation();
  const revoke = useRevokeApiKey();
  const [error, setError] = useState<string | null>(null);
  const name = apiKey?.name ?? '';
  const close = () => {
    setError(null);
    onClose();
  };
  return (
    <Modal opened={!!apiKey} onClose={close} title={t('settings.apiKeys.revokeTitle', { name })}>
      <Stack gap="md">
        <Text size="sm">{t('settings.apiKeys.revokeBody')}</Text>
        {error ? (
          <Alert color="red" icon={<IconAlertCircle />}>
            {error}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} data-autofocus>
            {t('settings.cancel')}
          </Button>
          <Button
            color="red"
            loading={revoke.isPending}
            onClick={() =>
              apiKey &&
              revoke.mutate(apiKey.id, {
                onSuccess: () => {
                  notifications.show({ message: t('settings.apiKeys.revoked', { name }) });
                  close();
                },
                onError: (e) => setError(describeError(t, e)),
              })
            }
          >
            {t('settings.apiKeys.revoke')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
