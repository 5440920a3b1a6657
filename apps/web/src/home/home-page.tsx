import { Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useCurrentSession } from '../shell/guards';
import { usePageTitle } from '../ui/use-page-title';
import { OnboardingChecklist } from './onboarding-checklist';

/** Home: a welcome and the getting-started checklist. */
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
      <OnboardingChecklist />
    </Stack>
  );
}
