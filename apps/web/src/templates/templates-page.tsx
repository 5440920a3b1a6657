import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconMail, IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { useCan } from '../api/permissions';
import { useFormat } from '../ui/format';
import { DataTable, EmptyPanel, QueryStates } from '../ui/states';
import { usePageTitle } from '../ui/use-page-title';
import { useTemplates } from './api';

/** Email templates: every template with its current version. */
export function TemplatesPage() {
  const { t } = useTranslation();
  usePageTitle(t('templates.list.title'));
  const canWrite = useCan('messages', 'write');
  const templates = useTemplates();
  const f = useFormat();
  const newButton = canWrite ? (
    <Button component={RouterLink} to="/templates/new" leftSection={<IconPlus size={16} aria-hidden />}>
      {t('templates.list.new')}
    </Button>
  ) : null;
  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>{t('templates.list.title')}</Title>
          <Text c="dimmed">{t('templates.list.intro')}</Text>
        </div>
        {newButton}
      </Group>
      <QueryStates
        query={templates}
        loadErrorTitle={t('templates.list.loadError')}
        empty={
          <EmptyPanel
            icon={<IconMail aria-hidden />}
            title={t('templates.list.empty')}
            description={t('templates.list.emptyHint')}
            action={newButton}
          />
        }
      >
        {(rows) => (
          <DataTable
            minWidth={560}
            columns={[
              { label: t('templates.list.name') },
              { label: t('templates.list.key') },
              { label: t('templates.list.version'), end: true },
              { label: t('templates.list.updated') },
            ]}
          >
            {rows.map((tpl) => (
              <Table.Tr key={tpl.key}>
                <Table.Td>
                  <Anchor component={RouterLink} to={`/templates/${encodeURIComponent(tpl.key)}`}>
                    {tpl.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text ff="monospace" size="sm">
                    {tpl.key}
                  </Text>
                </Table.Td>
                <Table.Td ta="end">{tpl.version}</Table.Td>
                <Table.Td>{f.dateTime(tpl.updatedAt)}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </QueryStates>
    </Stack>
  );
}
