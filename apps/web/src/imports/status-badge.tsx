import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ImportStatus } from './api';

const COLORS: Record<ImportStatus, string> = { queued: 'gray', running: 'blue', completed: 'teal', failed: 'red' };

/** An import's status as a coloured, written badge. */
export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={COLORS[status]} variant="light">
      {t(`imports.statuses.${status}`)}
    </Badge>
  );
}
