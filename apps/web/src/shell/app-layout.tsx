import { AppShell, Burger, Group, NavLink } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconChartBar,
  IconChartPie,
  IconCrystalBall,
  IconFileImport,
  IconHome,
  IconMail,
  IconPlugConnected,
  IconRoute,
  IconSettings,
  IconUsers,
} from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Outlet, Link as RouterLink, useLocation } from 'react-router-dom';
import type { Session } from '../api/session';
import { ColorSchemeToggle } from '../ui/color-scheme-toggle';
import { LanguageSwitcher } from '../ui/language-switcher';
import { Logo } from '../ui/logo';
import { UserMenu } from './user-menu';
import { WorkspaceSwitcher } from './workspace-switcher';

/** Navigation entries: only what exists. */
const NAV = [
  { to: '/', labelKey: 'shell.home', icon: IconHome },
  { to: '/dashboard', labelKey: 'analytics.nav', icon: IconChartBar },
  { to: '/customers', labelKey: 'customers.nav', icon: IconUsers },
  { to: '/segments', labelKey: 'segments.nav', icon: IconChartPie },
  { to: '/predictions', labelKey: 'predictions.nav', icon: IconCrystalBall },
  { to: '/journeys', labelKey: 'journeys.nav', icon: IconRoute },
  { to: '/templates', labelKey: 'templates.nav', icon: IconMail },
  { to: '/sources', labelKey: 'shell.sources', icon: IconPlugConnected },
  { to: '/imports', labelKey: 'shell.imports', icon: IconFileImport },
  { to: '/settings', labelKey: 'settings.nav', icon: IconSettings },
] as const;

/** The frame around every signed-in page: header, navbar and the page itself. */
export function AppLayout({ session }: { session: Session }) {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const { pathname } = useLocation();

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a className="kith-skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={t('shell.toggleNavigation')}
            />
            <Logo compact />
            <WorkspaceSwitcher session={session} />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <LanguageSwitcher />
            <ColorSchemeToggle />
            <UserMenu session={session} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('shell.navigation')}>
        {NAV.map((item) => {
          const active = item.to === '/' ? pathname === '/' : pathname.startsWith(item.to);
          return (
            <NavLink
              key={item.to}
              component={RouterLink}
              to={item.to}
              label={t(item.labelKey)}
              leftSection={<item.icon size={18} stroke={1.5} aria-hidden />}
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={close}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet context={session} />
      </AppShell.Main>
    </AppShell>
  );
}
