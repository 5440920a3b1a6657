import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Menu,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconDots, IconKey, IconPlus, IconUserMinus } from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { canAssignRole, useCan } from '../api/permissions';
import type { Role } from '../api/session';
import { useCurrentSession } from '../shell/guards';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import {
  type CreatedPasswordReset,
  type Member,
  useChangeRole,
  useCreatePasswordReset,
  useMembers,
  useRemoveMember,
} from './api';
import { InviteModal, useRoleOptions } from './invite-modal';
import { CopyField, LoadError, SectionHeader, TableSkeleton } from './parts';

/** Messages for the refusals a person can meet here, in their language. */
function describeMemberError(t: TFunction, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'last_owner') return t('settings.members.lastOwner');
    if (error.code === 'other_workspace') return t('settings.members.otherWorkspace');
  }
  return describeError(t, error);
}

const displayName = (m: Member) => m.name?.trim() || m.email;

/** Members: roles (changed in place), removal, and password resets by link. */
export function MembersTab() {
  const { t } = useTranslation();
  const f = useFormat();
  const session = useCurrentSession();
  const canWrite = useCan('members', 'write');
  const canInvite = useCan('invitations', 'write');
  const members = useMembers();
  const changeRole = useChangeRole();
  const roleOptions = useRoleOptions();
  const [roleErrors, setRoleErrors] = useState<Record<string, string>>({});
  const [inviteOpened, invite] = useDisclosure(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [resetting, setResetting] = useState<Member | null>(null);

  const owners = members.data?.filter((m) => m.role === 'owner').length ?? 0;
  /** May the signed-in person change this member at all? Never themselves here, only roles they may grant. */
  const manageable = (m: Member) => canWrite && m.id !== session.user.id && canAssignRole(session.role, m.role);

  const onRole = (m: Member, role: Role) => {
    if (role === m.role) return;
    setRoleErrors(({ [m.id]: _, ...rest }) => rest);
    changeRole.mutate(
      { userId: m.id, role },
      {
        onSuccess: () =>
          notifications.show({
            color: 'teal',
            message: t('settings.members.roleChanged', { name: displayName(m), role: t(`roles.${role}`) }),
          }),
        onError: (error) => setRoleErrors((e) => ({ ...e, [m.id]: describeMemberError(t, error) })),
      },
    );
  };

  return (
    <Stack gap="lg">
      <SectionHeader
        title={t('settings.tabs.members')}
        intro={t('settings.members.intro')}
        action={
          canInvite ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={invite.open}>
              {t('settings.members.invite')}
            </Button>
          ) : null
        }
      />
      {members.isPending ? (
        <TableSkeleton />
      ) : members.isError ? (
        <LoadError error={members.error} retry={() => void members.refetch()} />
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('settings.members.person')}</Table.Th>
                <Table.Th w={260}>{t('settings.members.role')}</Table.Th>
                <Table.Th>{t('settings.members.joined')}</Table.Th>
                <Table.Th>{t('settings.members.lastSignIn')}</Table.Th>
                {canWrite ? (
                  <Table.Th w={60}>
                    <VisuallyHidden>{t('settings.members.actions')}</VisuallyHidden>
                  </Table.Th>
                ) : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.data.map((m) => {
                const name = displayName(m);
                const isMe = m.id === session.user.id;
                const lastOwner = m.role === 'owner' && owners <= 1;
                return (
                  <Table.Tr key={m.id}>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Stack gap={0}>
                          <Text size="sm" fw={500}>
                            {name}
                          </Text>
                          {m.name ? (
                            <Text size="xs" c="dimmed">
                              {m.email}
                            </Text>
                          ) : null}
                        </Stack>
                        {isMe ? (
                          <Badge size="sm" variant="light">
                            {t('settings.members.you')}
                          </Badge>
                        ) : null}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      {manageable(m) ? (
                        <Tooltip
                          label={t('settings.members.lastOwner')}
                          disabled={!lastOwner}
                          withArrow
                          multiline
                          w={260}
                        >
                          <Select
                            aria-label={t('settings.members.roleOf', { name })}
                            data={roleOptions.map((o) => ({ value: o.value, label: t(`roles.${o.value}`) }))}
                            value={m.role}
                            allowDeselect={false}
                            disabled={lastOwner}
                            error={roleErrors[m.id]}
                            onChange={(v) => v && onRole(m, v as Role)}
                            size="sm"
                          />
                        </Tooltip>
                      ) : (
                        <Text size="sm">{t(`roles.${m.role}`)}</Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{f.date(m.joinedAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{m.lastLoginAt ? f.dateTime(m.lastLoginAt) : t('settings.never')}</Text>
                    </Table.Td>
                    {canWrite ? (
                      <Table.Td>
                        {manageable(m) ? (
                          <Menu position="bottom-end" withinPortal>
                            <Menu.Target>
                              <ActionIcon
                                variant="subtle"
                                color="gray"
                                aria-label={t('settings.members.actionsFor', { name })}
                              >
                                <IconDots size={18} aria-hidden />
                              </ActionIcon>
                            </Menu.Target>
                            <Menu.Dropdown>
                              <Menu.Item
                                leftSection={<IconKey size={16} aria-hidden />}
                                onClick={() => setResetting(m)}
                              >
                                {t('settings.members.resetPassword')}
                              </Menu.Item>
                              <Menu.Item
                                color="red"
                                leftSection={<IconUserMinus size={16} aria-hidden />}
                                disabled={lastOwner}
                                onClick={() => setRemoving(m)}
                              >
                                {t('settings.members.remove')}
                              </Menu.Item>
                            </Menu.Dropdown>
                          </Menu>
                        ) : null}
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canInvite ? <InviteModal opened={inviteOpened} onClose={invite.close} /> : null}
      <RemoveModal member={removing} onClose={() => setRemoving(null)} />
      <ResetPasswordModal member={resetting} onClose={() => setResetting(null)} />
    </Stack>
  );
}

function RemoveModal({ member, onClose }: { member: Member | null; onClose: () => void }) {
  const { t } = useTranslation();
  const remove = useRemoveMember();
  const [error, setError] = useState<string | null>(null);
  const name = member ? displayName(member) : '';
  const close = () => {
    setError(null);
    onClose();
  };
  const confirm = () => {
    if (!member) return;
    remove.mutate(member.id, {
      onSuccess: () => {
        notifications.show({ message: t('settings.members.removed', { name }) });
        close();
      },
      onError: (e) => setError(describeMemberError(t, e)),
    });
  };
  return (
    <Modal opened={!!member} onClose={close} title={t('settings.members.removeTitle', { name })}>
      <Stack gap="md">
        <Text size="sm">{t('settings.members.removeBody', { name })}</Text>
        {error ? (
          <Alert color="red" icon={<IconAlertCircle />}>
            {error}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close} data-autofocus>
            {t('settings.cancel')}
          </Button>
          <Button color="red" onClick={confirm} loading={remove.isPending}>
            {t('settings.members.removeConfirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function ResetPasswordModal({ member, onClose }: { member: Member | null; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const reset = useCreatePasswordReset();
  const [created, setCreated] = useState<CreatedPasswordReset | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = member ? displayName(member) : '';
  const close = () => {
    onClose();
    setTimeout(() => {
      setCreated(null);
      setError(null);
    }, 200);
  };
  const confirm = () => {
    if (!member) return;
    setError(null);
    reset.mutate(member.id, { onSuccess: setCreated, onError: (e) => setError(describeMemberError(t, e)) });
  };
  return (
    <Modal
      opened={!!member}
      onClose={close}
      size="lg"
      title={created ? t('settings.members.resetReadyTitle', { name }) : t('settings.members.resetTitle', { name })}
    >
      {created ? (
        <Stack gap="md">
          <Text size="sm">{t('settings.members.resetReadyBody', { date: f.dateTime(created.expiresAt) })}</Text>
          <CopyField label={t('settings.members.resetLink')} value={created.link} />
          <Group justify="flex-end">
            <Button onClick={close} data-autofocus>
              {t('settings.done')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack gap="md">
          <Text size="sm">{t('settings.members.resetBody', { name })}</Text>
          {error ? (
            <Alert color="red" icon={<IconAlertCircle />}>
              {error}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close} data-autofocus>
              {t('settings.cancel')}
            </Button>
            <Button onClick={confirm} loading={reset.isPending}>
              {t('settings.members.resetConfirm')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
