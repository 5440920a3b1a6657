import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

/** Date and time formatting in the interface language (`format` for a moment, `time` for today's clock time). */
export function useDateFormat() {
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? 'en';
  return useMemo(() => {
    const dateTime = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
    const clock = new Intl.DateTimeFormat(language, { timeStyle: 'medium' });
    const numbers = new Intl.NumberFormat(language);
    return {
      format: (iso: string) => dateTime.format(new Date(iso)),
      time: (iso: string) => clock.format(new Date(iso)),
      number: (n: number) => numbers.format(n),
    };
  }, [language]);
}
