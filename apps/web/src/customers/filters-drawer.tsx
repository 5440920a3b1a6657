import { Button, Drawer, Fieldset, Group, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomerFilters } from './api';
import { CHANNELS, useChannelLabel } from './channels';

interface Props {
  opened: boolean;
  onClose: () => void;
  filters: CustomerFilters;
  onApply: (filters: CustomerFilters) => void;
  /** A filter the server refused, with its message, shown next to that field. */
  fieldError: { field: string; message: string } | null;
}

/** Every filter the customers API offers, applied together. */
export function FiltersDrawer({ opened, onClose, filters, onApply, fieldError }: Props) {
  const { t } = useTranslation();
  const channelLabel = useChannelLabel();
  const [draft, setDraft] = useState<CustomerFilters>(filters);
  const [localError, setLocalError] = useState<string | null>(null);

  // Each opening starts from what the list shows.
  useEffect(() => {
    if (opened) {
      setDraft(filters);
      setLocalError(null);
    }
  }, [opened, filters]);

  const set = (key: keyof CustomerFilters) => (value: string | null) =>
    setDraft((d) => ({ ...d, [key]: value ?? undefined }));
  const input = (key: keyof CustomerFilters) => ({
    value: draft[key] ?? '',
    onChange: (e: { currentTarget: { value: string } }) => set(key)(e.currentTarget.value),
    error: fieldError?.field === key && draft[key] === filters[key] ? fieldError.message : undefined,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.traitValue?.trim() && !draft.traitKey?.trim()) {
      setLocalError(t('customers.filterDrawer.traitValueNeedsKey'));
      return;
    }
    onApply(draft);
    onClose();
  };

  const clear = () => {
    const kept = { q: filters.q };
    setDraft(kept);
    onApply(kept);
    onClose();
  };

  return (
    <Drawer opened={opened} onClose={onClose} title={t('customers.filterDrawer.title')} position="right" size="md">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Select
            label={t('customers.filterDrawer.channel')}
            placeholder={t('customers.filterDrawer.anyChannel')}
            data={CHANNELS.map((c) => ({ value: c, label: channelLabel(c) }))}
            value={draft.channel ?? null}
            onChange={set('channel')}
            clearable
            error={fieldError?.field === 'channel' ? fieldError.message : undefined}
            comboboxProps={{ withinPortal: true }}
          />
          <TextInput label={t('customers.filterDrawer.tag')} {...input('tag')} />
          <SimpleGrid cols={2} spacing="sm">
            <TextInput
              label={t('customers.filterDrawer.traitKey')}
              placeholder={t('customers.filterDrawer.traitKeyPlaceholder')}
              {...input('traitKey')}
            />
            <TextInput
              label={t('customers.filterDrawer.traitValue')}
              placeholder={t('customers.filterDrawer.traitValuePlaceholder')}
              {...input('traitValue')}
              error={localError ?? input('traitValue').error}
            />
          </SimpleGrid>
          <Fieldset legend={t('customers.filterDrawer.firstSeen')} variant="unstyled">
            <SimpleGrid cols={2} spacing="sm">
              <TextInput type="date" label={t('customers.filterDrawer.from')} {...input('firstSeenFrom')} />
              <TextInput type="date" label={t('customers.filterDrawer.to')} {...input('firstSeenTo')} />
            </SimpleGrid>
          </Fieldset>
          <Fieldset legend={t('customers.filterDrawer.lastSeen')} variant="unstyled">
            <SimpleGrid cols={2} spacing="sm">
              <TextInput type="date" label={t('customers.filterDrawer.from')} {...input('lastSeenFrom')} />
              <TextInput type="date" label={t('customers.filterDrawer.to')} {...input('lastSeenTo')} />
            </SimpleGrid>
          </Fieldset>
          <Fieldset legend={t('customers.filterDrawer.orders')} variant="unstyled">
            <SimpleGrid cols={2} spacing="sm">
              <TextInput
                type="number"
                min={0}
                step={1}
                inputMode="numeric"
                label={t('customers.filterDrawer.min')}
                {...input('minOrders')}
              />
              <TextInput
                type="number"
                min={0}
                step={1}
                inputMode="numeric"
                label={t('customers.filterDrawer.max')}
                {...input('maxOrders')}
              />
            </SimpleGrid>
          </Fieldset>
          <Fieldset legend={t('customers.filterDrawer.revenue')} variant="unstyled">
            <SimpleGrid cols={2} spacing="sm">
              <TextInput
                type="number"
                min={0}
                step="any"
                inputMode="decimal"
                label={t('customers.filterDrawer.min')}
                {...input('minRevenue')}
              />
              <TextInput
                type="number"
                min={0}
                step="any"
                inputMode="decimal"
                label={t('customers.filterDrawer.max')}
                {...input('maxRevenue')}
              />
            </SimpleGrid>
          </Fieldset>
          <Group justify="space-between" mt="sm">
            <Button variant="subtle" onClick={clear}>
              {t('customers.filterDrawer.clear')}
            </Button>
            <Button type="submit">{t('customers.filterDrawer.apply')}</Button>
          </Group>
        </Stack>
      </form>
    </Drawer>
  );
}
