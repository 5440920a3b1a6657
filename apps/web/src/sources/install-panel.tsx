import {
  ActionIcon,
  Button,
  Code,
  CopyButton,
  Group,
  Paper,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconCopy, IconEye, IconEyeOff } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDateFormat } from '../ui/use-date-format';
import type { Source } from './api';

/** The install snippets for this Kith host: analytics.js in a page, curl, and the Node SDK. */
export function installSnippets(writeKey: string, origin: string) {
  const url = new URL(origin);
  const protocol = url.protocol.replace(':', '');
  const browser = `<script type="module">
  import { AnalyticsBrowser } from 'https://cdn.jsdelivr.net/npm/@segment/analytics-next@1/+esm';
  // Segment's analytics.js, sending to Kith instead of Segment.
  window.analytics = AnalyticsBrowser.load({
    writeKey: '${writeKey}',
    cdnSettings: {
      integrations: {
        'Segment.io': { apiKey: '${writeKey}', apiHost: '${url.host}/v1', protocol: '${protocol}' },
      },
    },
  });
  window.analytics.page();
</script>`;
  const curl = `curl ${origin}/v1/track \\
  -u '${writeKey}:' \\
  -H 'Content-Type: application/json' \\
  -d '{"userId": "customer-1", "event": "Signed Up", "properties": {"plan": "basic"}}'`;
  const node = `import { Analytics } from '@segment/analytics-node';

const analytics = new Analytics({ writeKey: '${writeKey}', host: '${origin}' });

analytics.identify({ userId: 'customer-1', traits: { email: 'ana@example.com', firstName: 'Ana' } });
analytics.track({ userId: 'customer-1', event: 'Order Completed', properties: { total: 12.5 } });

// Before the process exits:
await analytics.closeAndFlush();`;
  return { browser, curl, node };
}

function CopyIconButton({ value, label, copiedLabel }: { value: string; label: string; copiedLabel: string }) {
  return (
    <CopyButton value={value} timeout={2000}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? copiedLabel : label} withArrow>
          <ActionIcon
            variant={copied ? 'filled' : 'default'}
            color={copied ? 'teal' : undefined}
            size="lg"
            onClick={copy}
            aria-label={copied ? copiedLabel : label}
          >
            {copied ? <IconCheck size={18} aria-hidden /> : <IconCopy size={18} aria-hidden />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

/** The write key (hidden until asked, copyable) and the ready-to-paste snippets. */
export function InstallPanel({ source }: { source: Source }) {
  const { t } = useTranslation();
  const dates = useDateFormat();
  const [revealed, setRevealed] = useState(false);
  const snippets = installSnippets(source.writeKey, window.location.origin);
  const masked = `${source.writeKey.slice(0, 6)}${'•'.repeat(Math.max(0, source.writeKey.length - 6))}`;

  return (
    <Stack gap="lg">
      <Paper withBorder radius="md" p="lg">
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('sources.key.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('sources.key.description')}
          </Text>
          <Group gap="xs" wrap="nowrap" align="flex-end">
            <TextInput
              readOnly
              flex={1}
              label={t('sources.key.label', { name: source.name })}
              value={revealed ? source.writeKey : masked}
              data-testid="write-key"
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
              onFocus={(e) => e.currentTarget.select()}
            />
            <Tooltip label={revealed ? t('sources.key.hide') : t('sources.key.show')} withArrow>
              <ActionIcon
                variant="default"
                size="lg"
                mb={1}
                onClick={() => setRevealed((r) => !r)}
                aria-label={revealed ? t('sources.key.hide') : t('sources.key.show')}
                aria-pressed={revealed}
              >
                {revealed ? <IconEyeOff size={18} aria-hidden /> : <IconEye size={18} aria-hidden />}
              </ActionIcon>
            </Tooltip>
            <CopyButton value={source.writeKey} timeout={2000}>
              {({ copied, copy }) => (
                <Button
                  onClick={copy}
                  color={copied ? 'teal' : undefined}
                  leftSection={copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
                >
                  {copied ? t('sources.key.copied') : t('sources.key.copy')}
                </Button>
              )}
            </CopyButton>
          </Group>
          {source.previousWriteKeyExpiresAt ? (
            <Text size="sm" c="dimmed">
              {t('sources.key.previousValid', { date: dates.format(source.previousWriteKeyExpiresAt) })}
            </Text>
          ) : null}
        </Stack>
      </Paper>

      <Paper withBorder radius="md" p="lg">
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('sources.snippets.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('sources.snippets.description')}
          </Text>
          <Tabs defaultValue="browser" keepMounted={false}>
            <Tabs.List aria-label={t('sources.snippets.label')}>
              <Tabs.Tab value="browser">{t('sources.snippets.browser')}</Tabs.Tab>
              <Tabs.Tab value="curl">{t('sources.snippets.curl')}</Tabs.Tab>
              <Tabs.Tab value="node">{t('sources.snippets.node')}</Tabs.Tab>
            </Tabs.List>
            {(['browser', 'curl', 'node'] as const).map((kind) => (
              <Tabs.Panel key={kind} value={kind} pt="sm">
                <Stack gap="xs">
                  <Group justify="space-between" wrap="nowrap" align="flex-start">
                    <Text size="sm">{t(`sources.snippets.${kind}Help`)}</Text>
                    <CopyIconButton
                      value={snippets[kind]}
                      label={t('sources.snippets.copy')}
                      copiedLabel={t('sources.snippets.copied')}
                    />
                  </Group>
                  <Code block style={{ whiteSpace: 'pre', overflowX: 'auto' }} tabIndex={0}>
                    {snippets[kind]}
                  </Code>
                </Stack>
              </Tabs.Panel>
            ))}
          </Tabs>
        </Stack>
      </Paper>
    </Stack>
  );
}
