import { Button, Checkbox, Group, NumberInput, Paper, Stack, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../api/permissions';
import { type Cap, type JourneySettings, useJourneySettings, useSaveJourneySettings } from '../journeys/api';
import { describeError } from '../ui/errors';
import { FormAlert } from '../ui/states';
import { LoadError, SectionHeader, TableSkeleton } from './parts';

/** Settings → Journeys: quiet hours and frequency caps for every journey's marketing messages. */
export function JourneysTab() {
  const { t } = useTranslation();
  const settings = useJourneySettings();
  return (
    <Stack gap="lg" maw={720}>
      <SectionHeader title={t('journeys.settings.title')} intro={t('journeys.settings.intro')} />
      {settings.isPending ? (
        <TableSkeleton rows={2} heading={false} />
      ) : settings.isError ? (
        <LoadError error={settings.error} retry={() => void settings.refetch()} />
      ) : (
        <SendingRulesForm settings={settings.data} />
      )}
    </Stack>
  );
}

const CHANNELS = ['email', 'sms'] as const;

function SendingRulesForm({ settings }: { settings: JourneySettings }) {
  const { t } = useTranslation();
  const canWrite = useCan('journeys', 'write');
  const save = useSaveJourneySettings();
  const [quietOn, setQuietOn] = useState(settings.quietHours !== null);
  const [start, setStart] = useState(settings.quietHours?.start ?? '21:00');
  const [end, setEnd] = useState(settings.quietHours?.end ?? '08:00');
  const [caps, setCaps] = useState<Record<(typeof CHANNELS)[number], Cap | null>>({
    email: settings.frequencyCaps.email ?? null,
    sms: settings.frequencyCaps.sms ?? null,
  });
  const [error, setError] = useState<string | null>(null);
  const off = !canWrite;

  const onSubmit = async () => {
    setError(null);
    const frequencyCaps: JourneySettings['frequencyCaps'] = {};
    for (const c of CHANNELS) {
      const cap = caps[c];
      if (cap) frequencyCaps[c] = cap;
    }
    try {
      await save.mutateAsync({ quietHours: quietOn ? { start, end } : null, frequencyCaps });
      notifications.show({ color: 'teal', message: t('journeys.settings.saved') });
    } catch (e) {
      setError(describeError(t, e));
    }
  };

  return (
    <Paper
      withBorder
      radius="md"
      p="md"
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
      aria-label={t('journeys.settings.title')}
    >
      <Stack gap="md">
        <FormAlert>{error}</FormAlert>
        <Stack gap="xs">
          <Title order={3} size="h5">
            {t('journeys.settings.quietHours')}
          </Title>
          <Checkbox
            label={t('journeys.settings.quietOn')}
            checked={quietOn}
            onChange={(e) => setQuietOn(e.currentTarget.checked)}
            disabled={off}
          />
          {quietOn ? (
            <Group gap="sm">
              <TextInput
                type="time"
                label={t('journeys.settings.start')}
                value={start}
                onChange={(e) => setStart(e.currentTarget.value)}
                required
                disabled={off}
              />
              <TextInput
                type="time"
                label={t('journeys.settings.end')}
                value={end}
                onChange={(e) => setEnd(e.currentTarget.value)}
                required
                disabled={off}
              />
            </Group>
          ) : null}
        </Stack>
        <Stack gap="xs">
          <Title order={3} size="h5">
            {t('journeys.settings.caps')}
          </Title>
          {CHANNELS.map((c) => {
            const cap = caps[c];
            const channel = t(`journeys.step.channels.${c}`);
            return (
              <Stack key={c} gap={4}>
                <Checkbox
                  label={t('journeys.settings.capOn', { channel })}
                  checked={cap !== null}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setCaps((x) => ({ ...x, [c]: on ? { max: 3, days: 7 } : null }));
                  }}
                  disabled={off}
                />
                {cap ? (
                  <Group gap="sm" role="group" aria-label={t('journeys.settings.capOn', { channel })}>
                    <NumberInput
                      label={t('journeys.settings.max')}
                      value={cap.max}
                      min={1}
                      max={1000}
                      allowDecimal={false}
                      onChange={(v) => setCaps((x) => ({ ...x, [c]: { ...cap, max: Number(v) || 1 } }))}
                      disabled={off}
                      w={160}
                    />
                    <NumberInput
                      label={t('journeys.settings.days')}
                      value={cap.days}
                      min={1}
                      max={365}
                      allowDecimal={false}
                      onChange={(v) => setCaps((x) => ({ ...x, [c]: { ...cap, days: Number(v) || 1 } }))}
                      disabled={off}
                      w={160}
                    />
                  </Group>
                ) : null}
              </Stack>
            );
          })}
        </Stack>
        {canWrite ? (
          <Group>
            <Button type="submit" loading={save.isPending}>
              {t('journeys.settings.save')}
            </Button>
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}
