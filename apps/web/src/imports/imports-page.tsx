import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconFileImport, IconUpload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { useCanWrite } from '../shell/use-can';
import { DataTable, EmptyPanel, QueryStates } from '../ui/states';
import { useDateFormat } from '../ui/use-date-format';
import { usePageTitle } from '../ui/use-page-title';
import { useImports } from './api';
import { ImportStatusBadge } from './status-badge';

/** Imports: every CSV uploaded, newest first, and a way to upload another. */
export function ImportsPage() {
  const { t } = useTranslation();
  usePageTitle(t('imports.title'));
  const canWrite = useCanWrite('imports');
  const imports = useImports();
  const fmt = useDateFormat();

  const newButton = canWrite ? (
    <Button component={RouterLink} to="/imports/new" leftSection={<IconUpload size={16} aria-hidden />}>
      {t('imports.newImport')}
    </Button>
  ) : null;

  const body = (
    <QueryStates
      query={imports}
      loadErrorTitle={t('imports.loadError')}
      empty={
        <EmptyPanel
          icon={<IconFileImport size={28} stroke={1.5} aria-hidden />}
          title={t('imports.emptyTitle')}
          description={canWrite ? t('imports.emptyDescription') : t('imports.emptyReadOnly')}
          action={newButton}
        />
      }
    >
      {(rows) => (
        <DataTable
          minWidth={640}
          columns={[
            { label: t('imports.columns.file') },
            { label: t('imports.columns.kind') },
            { label: t('imports.columns.status') },
            { label: t('imports.columns.imported'), end: true },
            { label: t('imports.columns.rejected'), end: true },
            { label: t('imports.columns.created') },
          ]}
        >
          {rows.map((imp) => (
            <Table.Tr key={imp.id}>
              <Table.Td>
                <Anchor component={RouterLink} to={`/imports/${imp.id}`} fw={500}>
                  {imp.fileName ?? imp.id}
                </Anchor>
              </Table.Td>
              <Table.Td>{t(`imports.kinds.${imp.kind}`)}</Table.Td>
              <Table.Td>
                <ImportStatusBadge status={imp.status} />
              </Table.Td>
              <Table.Td ta="end">{fmt.number(imp.progress.rowsImported)}</Table.Td>
              <Table.Td ta="end">{fmt.number(imp.progress.rowsRejected)}</Table.Td>
              <Table.Td>{fmt.format(imp.createdAt)}</Table.Td>
            </Table.Tr>
          ))}
        </DataTable>
      )}
    </QueryStates>
  );

  return (
    <Stack gap="lg" maw={1100}>
      <Group justify="space-between" align="flex-start" gap="md">
        <Stack gap={4} maw={680}>
          <Title order={1} size="h2">
            {t('imports.title')}
          </Title>
          <Text c="dimmed">{t('imports.intro')}</Text>
        </Stack>
        {imports.data?.length ? newButton : null}
      </Group>
      {body}
    </Stack>
  );
}
