import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconUsersGroup } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** The product mark and name; `compact` keeps only the mark on phones, where the header is narrow. */
export function Logo({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon size="md" radius="md" aria-hidden>
        <IconUsersGroup size={18} stroke={1.8} />
      </ThemeIcon>
      <Text fw={700} size="lg" visibleFrom={compact ? 'xs' : undefined}>
        {t('app.name')}
      </Text>
    </Group>
  );
}
