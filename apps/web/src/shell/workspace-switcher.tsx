import { Button, Menu, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconChevronDown } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { type Session, useSwitchWorkspace } from '../api/session';
import { describeError } from '../ui/errors';

/** The current workspace's name; a menu to change it when the person belongs to several. */
export function WorkspaceSwitcher({ session }: { session: Session }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const switchWorkspace = useSwitchWorkspace();
  const current = session.workspace;
  const name = current?.name ?? t('shell.noWorkspace');

  if (session.workspaces.length <= 1) {
    return (
      <Text fw={600} truncate="end" maw={{ base: 160, sm: 320 }}>
        {name}
      </Text>
    );
  }

  const choose = (workspaceId: string) => {
    if (workspaceId === current?.id) return;
    switchWorkspace.mutate(workspaceId, {
      onSuccess: (next) => {
        navigate('/');
        notifications.show({ message: t('shell.switchedTo', { name: next.workspace?.name ?? '' }) });
      },
      onError: (error) =>
        notifications.show({ color: 'red', title: t('errors.title'), message: describeError(t, error) }),
    });
  };

  return (
    <Menu position="bottom-start" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          color="gray"
          rightSection={<IconChevronDown size={16} aria-hidden />}
          loading={switchWorkspace.isPending}
          aria-label={t('shell.currentWorkspace', { name })}
          maw={{ base: 180, sm: 340 }}
        >
          <Text fw={600} truncate="end" inherit>
            {name}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t('shell.switchWorkspace')}</Menu.Label>
        {session.workspaces.map((workspace) => (
          <Menu.Item
            key={workspace.id}
            onClick={() => choose(workspace.id)}
            rightSection={workspace.id === current?.id ? <IconCheck size={14} aria-hidden /> : null}
            aria-current={workspace.id === current?.id ? 'true' : undefined}
          >
            <Text size="sm">{workspace.name}</Text>
            <Text size="xs" c="dimmed">
              {t(`roles.${workspace.role}`)}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
