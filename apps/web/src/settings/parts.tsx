import { ActionIcon, CopyButton, Group, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadError as StateLoadError } from '../ui/states';

/** A read-only field with a copy button: invitation links, reset links, new API keys. */
export function CopyField({ label, value, mono = false }: { label: string; value: string; mono?: boolean }) {
  const { t } = useTranslation();
  return (
    <TextInput
      label={label}
      value={value}
      readOnly
      onFocus={(e) => e.currentTarget.select()}
      styles={mono ? { input: { fontFamily: 'var(--mantine-font-family-monospace)' } } : undefined}
      rightSectionWidth={42}
      rightSection={
        <CopyButton value={value} timeout={2000}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? t('settings.copied') : t('settings.copy')} withArrow>
              <ActionIcon
                variant={copied ? 'filled' : 'subtle'}
                color={copied ? 'teal' : 'gray'}
                onClick={copy}
                aria-label={copied ? t('settings.copied') : `${t('settings.copy')}: ${label}`}
              >
                {copied ? <IconCheck size={16} aria-hidden /> : <IconCopy size={16} aria-hidden />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      }
    />
  );
}

/** A tab's heading line: what it is for, and its main action on the right. */
export function SectionHeader({ title, intro, action }: { title: string; intro: string; action?: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-start" wrap="wrap" gap="md">
      <Stack gap={4} maw={640}>
        <Title order={2} size="h3">
          {title}
        </Title>
        <Text c="dimmed" size="sm">
          {intro}
        </Text>
      </Stack>
      {action}
    </Group>
  );
}

export { TableSkeleton } from '../ui/states';

/** A failed load of a settings tab. */
export function LoadError({ error, retry }: { error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  return <StateLoadError title={t('settings.loadError')} error={error} retry={retry} />;
}
