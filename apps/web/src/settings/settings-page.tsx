import { Alert, Stack, Tabs, Text, Title } from '@mantine/core';
import {
  IconBuildingStore,
  IconHistory,
  IconKey,
  IconMail,
  IconMailForward,
  IconMessage,
  IconRoute,
  IconUsers,
  IconWebhook,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { type Action, can, type Resource } from '../api/permissions';
import { useCurrentSession } from '../shell/guards';
import { usePageTitle } from '../ui/use-page-title';
import { ApiKeysTab } from './api-keys-tab';
import { AuditTab } from './audit-tab';
import { EmailTab } from './email-tab';
import { InvitationsTab } from './invitations-tab';
import { JourneysTab } from './journeys-tab';
import { MembersTab } from './members-tab';
import { ProfileTab } from './profile-tab';
import { SmsTab } from './sms-tab';
import { WebhooksTab } from './webhooks-tab';

interface Tab {
  path: string;
  labelKey:
    | `settings.tabs.${'profile' | 'members' | 'invitations' | 'apiKeys' | 'email' | 'sms' | 'webhooks' | 'audit'}`
    | 'journeys.settings.tab';
  icon: typeof IconUsers;
  component: ComponentType;
  /** What a role needs to see the tab at all. */
  needs: [Resource, Action];
}

const TABS: Tab[] = [
  {
    path: 'profile',
    labelKey: 'settings.tabs.profile',
    icon: IconBuildingStore,
    component: ProfileTab,
    needs: ['workspace', 'read'],
  },
  {
    path: 'members',
    labelKey: 'settings.tabs.members',
    icon: IconUsers,
    component: MembersTab,
    needs: ['members', 'read'],
  },
  {
    path: 'invitations',
    labelKey: 'settings.tabs.invitations',
    icon: IconMailForward,
    component: InvitationsTab,
    needs: ['invitations', 'read'],
  },
  {
    path: 'api-keys',
    labelKey: 'settings.tabs.apiKeys',
    icon: IconKey,
    component: ApiKeysTab,
    needs: ['api_keys', 'read'],
  },
  {
    path: 'email',
    labelKey: 'settings.tabs.email',
    icon: IconMail,
    component: EmailTab,
    needs: ['channel_settings', 'read'],
  },
  {
    path: 'sms',
    labelKey: 'settings.tabs.sms',
    icon: IconMessage,
    component: SmsTab,
    needs: ['channel_settings', 'read'],
  },
  {
    path: 'webhooks',
    labelKey: 'settings.tabs.webhooks',
    icon: IconWebhook,
    component: WebhooksTab,
    needs: ['channel_settings', 'read'],
  },
  {
    path: 'journeys',
    labelKey: 'journeys.settings.tab',
    icon: IconRoute,
    component: JourneysTab,
    needs: ['journeys', 'read'],
  },
  { path: 'audit', labelKey: 'settings.tabs.audit', icon: IconHistory, component: AuditTab, needs: ['audit', 'read'] },
];

/** Settings at /settings/<tab>: one tab per area, shown only to roles that may read it. */
export function SettingsPage() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const visible = TABS.filter((tab) => can(session.role, ...tab.needs));
  const current = pathname.split('/')[2] ?? '';
  const tab = visible.find((x) => x.path === current);
  usePageTitle(tab ? `${t(tab.labelKey)} · ${t('settings.title')}` : t('settings.title'));

  const first = visible[0];
  if (!first) {
    // Removed from the workspace while signed in: nothing here is theirs to see.
    return (
      <Alert color="orange" title={t('settings.title')} maw={640}>
        {t('settings.noWorkspace')}
      </Alert>
    );
  }
  if (!tab) return <Navigate to={`/settings/${first.path}`} replace />;

  return (
    <Stack gap="lg" maw={1100}>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {t('settings.title')}
        </Title>
        <Text c="dimmed">{t('settings.intro')}</Text>
      </Stack>
      <Tabs value={tab.path} onChange={(value) => value && navigate(`/settings/${value}`)} keepMounted={false}>
        <Tabs.List aria-label={t('settings.sections')}>
          {visible.map((x) => (
            <Tabs.Tab key={x.path} value={x.path} leftSection={<x.icon size={16} stroke={1.6} aria-hidden />}>
              {t(x.labelKey)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {visible.map((x) => (
          <Tabs.Panel key={x.path} value={x.path} pt="lg">
            <x.component />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
