import { Alert, Anchor, Button, EmptyState, Group, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertCircle, IconFileImport, IconUpload } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { useCanWrite } from '../shell/use-can';
import { describeError } from '../ui/errors';
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

  let body: React.ReactNode;
  if (imports.isPending) {
    body = (
      <Stack gap="xs" aria-busy="true" aria-label={t('app.loading')}>
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} h={44} radius="sm" />
        ))}
      </Stack>
    );
  } else if (imports.isError) {
    body = (
      <Alert color="red" icon={<IconAlertCircle />} title={t('imports.loadError')}>
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{describeError(t, imports.error)}</Text>
          <Button size="xs" variant="light" color="red" onClick={() => void imports.refetch()}>
            {t('errors.retry')}
          </Button>
        </Stack>
      </Alert>
    );
  } else if (imports.data.length === 0) {
    body = (
      <Paper withBorder radius="md" p="xl">
        <EmptyState variant="light" icon={<IconFileImport size={28} stroke={1.5} aria-hidden />}>
          <EmptyState.Title order={2}>{t('imports.emptyTitle')}</EmptyState.Title>
          <EmptyState.Description>
            {canWrite ? t('imports.emptyDescription') : t('imports.emptyReadOnly')}
          </EmptyState.Description>
          {newButton ? <EmptyState.Actions>{newButton}</EmptyState.Actions> : null}
        </EmptyState>
      </Paper>
    );
  } else {
    body = (
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('imports.columns.file')}</Table.Th>
                <Table.Th>{t('imports.columns.kind')}</Table.Th>
                <Table.Th>{t('imports.columns.status')}</Table.Th>
                <Table.Th ta="end">{t('imports.columns.imported')}</Table.Th>
                <Table.Th ta="end">{t('imports.columns.rejected')}</Table.Th>
                <Table.Th>{t('imports.columns.created')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {imports.data.map((imp) => (
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
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    );
  }

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
