import { Alert, Anchor, Group, Skeleton, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconAlertCircle, IconArrowLeft } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useParams, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useCanWrite } from '../shell/use-can';
import { describeError } from '../ui/errors';
import { usePageTitle } from '../ui/use-page-title';
import { useSource } from './api';
import { ChannelIcon } from './channels';
import { InstallPanel } from './install-panel';
import { LiveEvents } from './live-events';
import { QuarantinePanel } from './quarantine-panel';
import { SourceSettings } from './source-settings';

const TABS = ['install', 'live', 'quarantine', 'settings'] as const;
type Tab = (typeof TABS)[number];

function BackLink() {
  const { t } = useTranslation();
  return (
    <Anchor component={RouterLink} to="/sources" size="sm" w="fit-content">
      <Group gap={4} wrap="nowrap">
        <IconArrowLeft size={14} aria-hidden />
        {t('sources.back')}
      </Group>
    </Anchor>
  );
}

/** One source: install it, watch its events arrive, replay refused ones, rotate its key. */
export function SourcePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const source = useSource(id);
  const canWrite = useCanWrite('sources');
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab') as Tab | null;
  const tabs = TABS.filter((tab) => tab !== 'settings' || canWrite);
  const tab: Tab = requested && tabs.includes(requested) ? requested : 'install';
  usePageTitle(source.data?.name ?? t('sources.title'));

  if (source.isPending) {
    return (
      <Stack gap="lg" maw={1100} aria-busy="true" aria-label={t('app.loading')}>
        <Skeleton h={16} w={120} />
        <Skeleton h={32} w={280} />
        <Skeleton h={36} />
        <Skeleton h={220} />
      </Stack>
    );
  }
  if (source.isError) {
    const notFound = source.error instanceof ApiError && source.error.status === 404;
    return (
      <Stack gap="md" maw={1100}>
        <BackLink />
        <Alert color="red" icon={<IconAlertCircle />} title={notFound ? t('sources.notFound') : t('errors.title')}>
          {notFound ? null : describeError(t, source.error)}
        </Alert>
      </Stack>
    );
  }
  const s = source.data;

  return (
    <Stack gap="lg" maw={1100}>
      <Stack gap={6}>
        <BackLink />
        <Group gap="sm" wrap="nowrap">
          <ChannelIcon channel={s.channel} size={28} />
          <Title order={1} size="h2">
            {s.name}
          </Title>
        </Group>
        <Text c="dimmed">{t(`sources.channels.${s.channel}`)}</Text>
        {!canWrite ? (
          <Text size="sm" c="dimmed">
            {t('sources.settings.readOnly')}
          </Text>
        ) : null}
      </Stack>
      <Tabs
        value={tab}
        onChange={(value) => value && setParams(value === 'install' ? {} : { tab: value }, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List aria-label={t('sources.tabs.label')} mb="md">
          {tabs.map((name) => (
            <Tabs.Tab key={name} value={name}>
              {t(`sources.tabs.${name}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Tabs.Panel value="install">
          <InstallPanel source={s} />
        </Tabs.Panel>
        <Tabs.Panel value="live">
          <LiveEvents sourceId={s.id} />
        </Tabs.Panel>
        <Tabs.Panel value="quarantine">
          <QuarantinePanel sourceId={s.id} canWrite={canWrite} />
        </Tabs.Panel>
        {canWrite ? (
          <Tabs.Panel value="settings">
            <SourceSettings source={s} />
          </Tabs.Panel>
        ) : null}
      </Tabs>
    </Stack>
  );
}
