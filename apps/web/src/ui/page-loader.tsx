import { Center, Loader } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** A full-height spinner while the first data of a page loads. */
export function PageLoader() {
  const { t } = useTranslation();
  return (
    <Center mih="60vh" role="status" aria-live="polite">
      <Loader aria-label={t('app.loading')} />
    </Center>
  );
}
