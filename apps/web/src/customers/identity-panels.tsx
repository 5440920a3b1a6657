import {
  Alert,
  Anchor,
  Button,
  Group,
  Modal,
  Paper,
  Stack,
  Table,
  Text,
  Textarea,
  Timeline,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconGitMerge } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { ApiError } from '../api/client';
import { describeError } from '../ui/errors';
import { type Customer, useDismissConflict, useMergeCustomer, useSources } from './api';
import { useFormat } from './format';
import { Panel } from './panel';
import { customerName } from './people';

const KINDS = ['email', 'phone', 'user_id', 'anonymous_id'] as const;

/** "Email", "User ID", "ID in shopify" … */
export function identifierKind(t: TFunction, kind: string): string {
  if ((KINDS as readonly string[]).includes(kind))
    return t(`customers.identities.kinds.${kind as (typeof KINDS)[number]}`);
  if (kind.startsWith('external:')) return t('customers.identities.kinds.external', { namespace: kind.slice(9) });
  return kind;
}

/** Every identifier that points at this profile, where it was first seen. */
export function IdentitiesPanel({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  const format = useFormat();
  const sources = useSources();
  const sourceName = (id: string | null) =>
    id ? (sources.data?.find((s) => s.id === id)?.name ?? id) : t('customers.identities.byHand');
  return (
    <Panel title={t('customers.identities.title')}>
      {c.identifiers.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('customers.identities.none')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={320}>
          <Table verticalSpacing={4} fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('customers.identities.kind')}</Table.Th>
                <Table.Th>{t('customers.identities.value')}</Table.Th>
                <Table.Th>{t('customers.identities.source')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.identifiers.map((i) => (
                <Table.Tr key={`${i.kind}:${i.value}`}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{identifierKind(t, i.kind)}</Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{i.value}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{sourceName(i.sourceId)}</Text>
                    <Text size="xs" c="dimmed">
                      {format.date(i.firstSeenAt)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Panel>
  );
}

const MERGE_REASONS: Record<string, 'sharedIdentifiers' | 'byHand'> = {
  'shared identifiers in one event': 'sharedIdentifiers',
  'merged by hand': 'byHand',
};

/** The profiles merged into this one, newest first, each with why and by whom. */
export function MergeHistoryPanel({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  const format = useFormat();
  const reason = (r: string) => {
    const key = MERGE_REASONS[r];
    return key ? t(`customers.merges.reasons.${key}`) : r;
  };
  const actor = (type: string) =>
    type === 'system' || type === 'user' || type === 'api_key' ? t(`customers.merges.actors.${type}`) : type;
  return (
    <Panel title={t('customers.merges.title')}>
      {c.merges.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('customers.merges.none')}
        </Text>
      ) : (
        <Timeline bulletSize={22} lineWidth={2}>
          {c.merges.map((m) => {
            const had = (m.snapshot as { identifiers?: { kind: string; value: string }[] } | null)?.identifiers ?? [];
            return (
              <Timeline.Item
                key={m.id}
                bullet={<IconGitMerge size={12} aria-hidden />}
                title={t('customers.merges.item', { id: m.mergedId })}
              >
                <Text size="xs" c="dimmed">
                  {format.dateTime(m.at)}
                </Text>
                <Text size="sm">{t('customers.merges.reason', { reason: reason(m.reason) })}</Text>
                <Text size="sm">{t('customers.merges.by', { actor: actor(m.actor.type) })}</Text>
                {had.length ? (
                  <Text size="xs" c="dimmed">
                    {t('customers.merges.had', {
                      identifiers: had.map((i) => `${identifierKind(t, i.kind)} ${i.value}`).join(', '),
                    })}
                  </Text>
                ) : null}
              </Timeline.Item>
            );
          })}
        </Timeline>
      )}
    </Panel>
  );
}

interface Conflict {
  id: string;
  reason: string;
  details: unknown;
  other: Customer['conflicts'][number]['other'];
}

/** Profiles Kith kept apart from this one: merge them in, or keep them apart. */
export function ConflictsPanel({ customer: c, canWrite }: { customer: Customer; canWrite: boolean }) {
  const { t } = useTranslation();
  const dismiss = useDismissConflict(c.id);
  const [merging, setMerging] = useState<Conflict | null>(null);
  if (c.conflicts.length === 0) return null;

  const describeConflict = (k: Conflict) => {
    const details = (k.details ?? {}) as {
      userIds?: string[][];
      sharedIdentifiers?: { kind: string; value: string }[];
    };
    const reasonText =
      k.reason === 'different_user_ids'
        ? t('customers.conflicts.reasons.different_user_ids', {
            userIds: (details.userIds ?? []).map((ids) => ids.join(', ')).join(' ≠ '),
          })
        : k.reason;
    const shared = details.sharedIdentifiers ?? [];
    return { reasonText, shared };
  };

  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      component="section"
      aria-labelledby="conflicts-title"
      style={{ borderColor: 'var(--mantine-color-orange-filled)' }}
    >
      <Group gap="xs" mb={4}>
        <IconAlertTriangle size={18} color="var(--mantine-color-orange-filled)" aria-hidden />
        <Title order={2} size="h4" id="conflicts-title">
          {t('customers.conflicts.title', { count: c.conflicts.length })}
        </Title>
      </Group>
      <Text size="sm" c="dimmed" mb="sm">
        {t('customers.conflicts.description')}
      </Text>
      <Stack gap="sm">
        {c.conflicts.map((k) => {
          const { reasonText, shared } = describeConflict(k);
          const otherName = customerName(t, k.other);
          return (
            <Paper key={k.id} withBorder radius="sm" p="sm">
              <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Anchor component={RouterLink} to={`/customers/${encodeURIComponent(k.other.id)}`} fw={500}>
                    {otherName}
                  </Anchor>
                  <Text size="sm">{reasonText}</Text>
                  {shared.length ? (
                    <Text size="xs" c="dimmed">
                      {t('customers.conflicts.shared', {
                        identifiers: shared.map((i) => `${identifierKind(t, i.kind)} ${i.value}`).join(', '),
                      })}
                    </Text>
                  ) : null}
                </Stack>
                {canWrite ? (
                  <Group gap="xs">
                    <Button
                      size="xs"
                      leftSection={<IconGitMerge size={14} aria-hidden />}
                      onClick={() => setMerging(k)}
                    >
                      {t('customers.conflicts.merge')}
                    </Button>
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() =>
                        dismiss.mutate(k.id, {
                          onSuccess: () => notifications.show({ message: t('customers.conflicts.dismissed') }),
                          onError: (e) =>
                            notifications.show({
                              color: 'red',
                              title: t('errors.title'),
                              message: describeError(t, e),
                            }),
                        })
                      }
                    >
                      {t('customers.conflicts.dismiss')}
                    </Button>
                  </Group>
                ) : null}
              </Group>
            </Paper>
          );
        })}
      </Stack>
      <MergeModal customerId={c.id} conflict={merging} onClose={() => setMerging(null)} />
    </Paper>
  );
}

function MergeModal({
  customerId,
  conflict,
  onClose,
}: {
  customerId: string;
  conflict: Conflict | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const merge = useMergeCustomer(customerId);
  const [reason, setReason] = useState('');
  const name = conflict ? customerName(t, conflict.other) : '';
  const close = () => {
    setReason('');
    merge.reset();
    onClose();
  };
  const fieldError = merge.error instanceof ApiError && merge.error.field === 'reason';
  return (
    <Modal opened={conflict !== null} onClose={close} title={t('customers.conflicts.confirmTitle', { name })}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!conflict) return;
          merge.mutate(
            { customerId: conflict.other.id, reason: reason.trim() || undefined },
            {
              onSuccess: () => {
                notifications.show({ color: 'green', message: t('customers.conflicts.merged') });
                close();
              },
            },
          );
        }}
      >
        <Stack>
          <Text size="sm">{t('customers.conflicts.confirmText')}</Text>
          <Textarea
            label={t('customers.conflicts.reasonLabel')}
            placeholder={t('customers.conflicts.reasonPlaceholder')}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            maxLength={500}
            autosize
            minRows={2}
            data-autofocus
            error={fieldError ? describeError(t, merge.error) : undefined}
          />
          {merge.isError && !fieldError ? <Alert color="red">{describeError(t, merge.error)}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('customers.conflicts.cancel')}
            </Button>
            <Button type="submit" loading={merge.isPending} leftSection={<IconGitMerge size={14} aria-hidden />}>
              {t('customers.conflicts.confirm')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
