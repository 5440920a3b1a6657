import { Button, EmptyState, Paper, Stack, Text, Title } from '@mantine/core';
import { IconExternalLink, IconPlugConnected } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../shell/guards';
import { usePageTitle } from '../ui/use-page-title';

/** Home: for now, a welcome and what comes next. */
export function HomePage() {
  const { t } = useTranslation();
  usePageTitle(t('home.title'));
  const session = useCurrentSession();
  const name = session.user.name?.trim();

  return (
    <Stack gap="lg" maw={880}>
      <Stack gap={4}>
        <Title order={1} size="h2">
          {name ? t('home.welcome', { name }) : t('home.welcomeAnonymous')}
        </Title>
        {session.workspace ? <Text c="dimmed">{t('home.subtitle', { workspace: session.workspace.name })}</Text> : null}
      </Stack>
      <Paper withBorder radius="md" p="xl">
        <EmptyState variant="light" icon={<IconPlugConnected size={28} stroke={1.5} aria-hidden />}>
          <EmptyState.Title order={2}>{t('home.emptyTitle')}</EmptyState.Title>
          <EmptyState.Description>{t('home.emptyDescription')}</EmptyState.Description>
          <EmptyState.Actions>
            <Button
              component="a"
              href="/api/docs"
              variant="light"
              rightSection={<IconExternalLink size={16} aria-hidden />}
            >
              {t('home.apiDocs')}
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      </Paper>
    </Stack>
  );
}
