import { Select, SimpleGrid, Text } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { createFormat } from './format';
import {
  browserCountry,
  browserTimeZone,
  countryOptions,
  currencyOf,
  currencyOptions,
  localeOptions,
  suggestLocale,
  timeZoneOptions,
} from './regions';

/** A business's defaults: how its figures and dates are written. */
export interface WorkspaceDefaults {
  defaultCountry: string;
  currency: string;
  timezone: string;
  locale: string;
}

/** Good first guesses from the browser: its country, that country's currency, its time zone, the interface language. */
export function guessDefaults(language: string): WorkspaceDefaults {
  const country = browserCountry();
  return {
    defaultCountry: country,
    currency: currencyOf(country) ?? 'USD',
    timezone: browserTimeZone(),
    locale: suggestLocale(language, country),
  };
}

const SAMPLE_DATE = new Date(Date.UTC(2025, 2, 9, 14, 30));

/**
 * Country, currency, time zone and locale, used by the first-run page and the business profile.
 * Choosing a country suggests its currency and locale; a line shows how figures will look.
 */
export function WorkspaceDefaultsFields<T extends WorkspaceDefaults>({
  form,
  disabled = false,
}: {
  form: UseFormReturnType<T>;
  disabled?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? 'en';
  const options = useMemo(
    () => ({
      countries: countryOptions(language),
      currencies: currencyOptions(language),
      zones: timeZoneOptions(language),
      locales: localeOptions(language),
    }),
    [language],
  );
  const v = form.getValues();
  const sample = createFormat({
    locale: v.locale || 'en',
    language: '',
    currency: v.currency || 'USD',
    timeZone: v.timezone || 'UTC',
  });
  // Typed loosely on purpose: these four fields exist on T by the constraint.
  const input = (field: keyof WorkspaceDefaults) => form.getInputProps(field as never);
  const countryProps = input('defaultCountry');

  return (
    <>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        <Select
          label={t('fields.country')}
          data={options.countries}
          searchable
          allowDeselect={false}
          required
          withAsterisk={false}
          disabled={disabled}
          nothingFoundMessage={t('fields.nothingFound')}
          {...countryProps}
          onChange={(country) => {
            countryProps.onChange(country);
            if (!country) return;
            const currency = currencyOf(country);
            if (currency) form.setFieldValue('currency' as never, currency as never);
            form.setFieldValue('locale' as never, suggestLocale(v.locale.split('-')[0] || language, country) as never);
          }}
        />
        <Select
          label={t('fields.currency')}
          data={options.currencies}
          searchable
          allowDeselect={false}
          required
          withAsterisk={false}
          disabled={disabled}
          nothingFoundMessage={t('fields.nothingFound')}
          {...input('currency')}
        />
        <Select
          label={t('fields.timezone')}
          data={options.zones}
          searchable
          allowDeselect={false}
          required
          withAsterisk={false}
          disabled={disabled}
          limit={400}
          nothingFoundMessage={t('fields.nothingFound')}
          {...input('timezone')}
        />
        <Select
          label={t('fields.locale')}
          description={t('fields.localeDescription')}
          data={options.locales}
          searchable
          allowDeselect={false}
          required
          withAsterisk={false}
          disabled={disabled}
          nothingFoundMessage={t('fields.nothingFound')}
          {...input('locale')}
        />
      </SimpleGrid>
      <Text size="sm" c="dimmed" aria-live="polite">
        {t('fields.formatSample', { date: sample.dateTime(SAMPLE_DATE), money: sample.money(1234.5) })}
      </Text>
    </>
  );
}
