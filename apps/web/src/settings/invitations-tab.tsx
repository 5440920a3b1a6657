import { Badge, Button, EmptyState, Group, Paper, Stack, Switch, Table, Text, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconMailForward, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../api/permissions';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { type Invitation, useInvitations, useRevokeInvitation } from './api';
import { InviteModal } from './invite-modal';
import { LoadError, SectionHeader, TableSkeleton } from './parts';

const STATUS_COLOR: Record<Invitation['status'], string> = {
  pending: 'blue',
  accepted: 'teal',
  revoked: 'gray',
  expired: 'orange',
};

/** Invitations: create with a role, copy the link once, revoke the pending ones. */
export function InvitationsTab() {
  const { t } = useTranslation();
  const f = useFormat();
  const canWrite = useCan('invitations', 'write');
  const invitations = useInvitations();
  const revoke = useRevokeInvitation();
  const [opened, { open, close }] = useDisclosure(false);
  const [showPast, setShowPast] = useState(false);

  const all = invitations.data ?? [];
  const pending = all.filter((i) => i.status === 'pending');
  const shown = showPast ? all : pending;

  const onRevoke = (inv: Invitation) =>
    revoke.mutate(inv.id, {
      onSuccess: () => notifications.show({ message: t('settings.invitations.revoked', { email: inv.email }) }),
      onError: (error) =>
        notifications.show({ color: 'red', title: t('errors.title'), message: describeError(t, error) }),
    });

  const createButton = canWrite ? (
    <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={open}>
      {t('settings.invitations.create')}
    </Button>
  ) : null;

  return (
    <Stack gap="lg">
      <SectionHeader
        title={t('settings.tabs.invitations')}
        intro={t('settings.invitations.intro')}
        action={createButton}
      />
      {invitations.isPending ? (
        <TableSkeleton />
      ) : invitations.isError ? (
        <LoadError error={invitations.error} retry={() => void invitations.refetch()} />
      ) : all.length === 0 ? (
        <Paper withBorder radius="md" p="xl">
          <EmptyState variant="light" icon={<IconMailForward size={28} stroke={1.5} aria-hidden />}>
            <EmptyState.Title order={3}>{t('settings.invitations.emptyTitle')}</EmptyState.Title>
            <EmptyState.Description>{t('settings.invitations.emptyBody')}</EmptyState.Description>
            {createButton ? <EmptyState.Actions>{createButton}</EmptyState.Actions> : null}
          </EmptyState>
        </Paper>
      ) : (
        <Stack gap="sm">
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {t('settings.invitations.pending', { count: pending.length })}
            </Text>
            <Switch
              label={t('settings.invitations.showPast')}
              checked={showPast}
              onChange={(e) => setShowPast(e.currentTarget.checked)}
            />
          </Group>
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('settings.invitations.email')}</Table.Th>
                  <Table.Th>{t('settings.invitations.role')}</Table.Th>
                  <Table.Th>{t('settings.invitations.status')}</Table.Th>
                  <Table.Th>{t('settings.invitations.sent')}</Table.Th>
                  <Table.Th>{t('settings.invitations.expires')}</Table.Th>
                  {canWrite ? (
                    <Table.Th>
                      <VisuallyHidden>{t('settings.members.actions')}</VisuallyHidden>
                    </Table.Th>
                  ) : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {shown.map((inv) => (
                  <Table.Tr key={inv.id}>
                    <Table.Td>{inv.email}</Table.Td>
                    <Table.Td>{t(`roles.${inv.role}`)}</Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={STATUS_COLOR[inv.status]}>
                        {t(`settings.invitations.statuses.${inv.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{f.date(inv.createdAt)}</Table.Td>
                    <Table.Td>{f.dateTime(inv.expiresAt)}</Table.Td>
                    {canWrite ? (
                      <Table.Td ta="right">
                        {inv.status === 'pending' ? (
                          <Button
                            size="xs"
                            variant="subtle"
                            color="red"
                            aria-label={t('settings.invitations.revokeLabel', { email: inv.email })}
                            loading={revoke.isPending && revoke.variables === inv.id}
                            onClick={() => onRevoke(inv)}
                          >
                            {t('settings.invitations.revoke')}
                          </Button>
                        ) : null}
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      )}
      {canWrite ? <InviteModal opened={opened} onClose={close} /> : null}
    </Stack>
  );
}
