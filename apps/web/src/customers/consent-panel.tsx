import { Alert, Badge, Button, Group, Select, Skeleton, Stack, Table, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../ui/errors';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  type Consent,
  type ConsentChannel,
  type ConsentPurpose,
  type ConsentStatus,
  useConsents,
  useSetConsent,
} from './api';
import { useFormat } from './format';
import { Panel } from './panel';

const COLORS: Record<ConsentStatus, string> = {
  subscribed: 'green',
  unsubscribed: 'red',
  pending: 'yellow',
  unknown: 'gray',
};
const KNOWN_SOURCES = [
  'api',
  'app',
  'identify',
  'import',
  'preference_center',
  'unsubscribe_link',
  'double_opt_in',
  'sms_keyword',
] as const;

/** Where a change came from, in the reader's language (a source Kith does not know stays as written). */
export function consentSourceLabel(t: TFunction, source: string): string {
  return (KNOWN_SOURCES as readonly string[]).includes(source)
    ? t(`customers.consent.sources.${source as (typeof KNOWN_SOURCES)[number]}`)
    : source;
}

/** Consent per channel and purpose: a status badge, where it came from and when; writers can change one. */
export function ConsentPanel({ customerId, canWrite }: { customerId: string; canWrite: boolean }) {
  const { t } = useTranslation();
  const consents = useConsents(customerId);
  const byKey = new Map((consents.data?.items ?? []).map((c) => [`${c.channel}:${c.purpose}`, c]));

  return (
    <Panel title={t('customers.consent.title')}>
      {consents.isPending ? (
        <Stack gap="xs" role="status" aria-label={t('customers.consent.loading')}>
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} h={18} />
          ))}
        </Stack>
      ) : consents.isError ? (
        <Alert color="red" role="alert">
          {describeError(t, consents.error)}
        </Alert>
      ) : (
        <Stack gap="md">
          <Table verticalSpacing={6} layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w="30%">{t('customers.consent.channel')}</Table.Th>
                {CONSENT_PURPOSES.map((p) => (
                  <Table.Th key={p}>{t(`customers.consent.purposes.${p}`)}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {CONSENT_CHANNELS.map((channel) => (
                <Table.Tr key={channel}>
                  <Table.Th scope="row" fw={500} fz="sm">
                    {t(`customers.consent.channels.${channel}`)}
                  </Table.Th>
                  {CONSENT_PURPOSES.map((purpose) => (
                    <Table.Td key={purpose}>
                      <ConsentCell consent={byKey.get(`${channel}:${purpose}`)} />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {canWrite ? <ConsentForm customerId={customerId} current={byKey} /> : null}
        </Stack>
      )}
    </Panel>
  );
}

function ConsentCell({ consent: c }: { consent: Consent | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const status = c?.status ?? 'unknown';
  return (
    <Stack gap={2} align="flex-start">
      <Badge color={COLORS[status]} variant="light" tt="none">
        {t(`customers.consent.statuses.${status}`)}
      </Badge>
      {c?.source && c.changedAt ? (
        <Text size="xs" c="dimmed">
          {t('customers.consent.sourceAndTime', {
            source: consentSourceLabel(t, c.source),
            date: format.date(c.changedAt),
          })}
        </Text>
      ) : null}
    </Stack>
  );
}

/** Three choices and a button: a plain form, so it works from the keyboard (Enter saves). */
function ConsentForm({ customerId, current }: { customerId: string; current: Map<string, Consent> }) {
  const { t } = useTranslation();
  const change = useSetConsent(customerId);
  const [channel, setChannel] = useState<ConsentChannel>('email');
  const [purpose, setPurpose] = useState<ConsentPurpose>('marketing');
  const [status, setStatus] = useState<ConsentStatus>('subscribed');
  const [outcome, setOutcome] = useState<'saved' | 'older' | 'unchanged' | null>(null);
  const now = current.get(`${channel}:${purpose}`)?.status ?? 'unknown';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOutcome(null);
    change.mutate(
      { channel, purpose, status },
      { onSuccess: (r) => setOutcome(r.applied ? 'saved' : (r.ignored ?? 'unchanged')) },
    );
  };
  const reset = () => {
    setOutcome(null);
    change.reset();
  };

  return (
    <form onSubmit={submit} aria-label={t('customers.consent.change')}>
      <Stack gap="xs">
        <Text size="sm" fw={500}>
          {t('customers.consent.change')}
        </Text>
        <Group gap="xs" align="flex-end" wrap="wrap">
          <Select
            size="xs"
            w={130}
            label={t('customers.consent.channel')}
            data={CONSENT_CHANNELS.map((c) => ({ value: c, label: t(`customers.consent.channels.${c}`) }))}
            value={channel}
            onChange={(v) => {
              if (v) setChannel(v as ConsentChannel);
              reset();
            }}
            allowDeselect={false}
          />
          <Select
            size="xs"
            w={130}
            label={t('customers.consent.purpose')}
            data={CONSENT_PURPOSES.map((p) => ({ value: p, label: t(`customers.consent.purposes.${p}`) }))}
            value={purpose}
            onChange={(v) => {
              if (v) setPurpose(v as ConsentPurpose);
              reset();
            }}
            allowDeselect={false}
          />
          <Select
            size="xs"
            w={160}
            label={t('customers.consent.status')}
            description={t('customers.consent.now', { status: t(`customers.consent.statuses.${now}`) })}
            data={CONSENT_STATUSES.map((s) => ({ value: s, label: t(`customers.consent.statuses.${s}`) }))}
            value={status}
            onChange={(v) => {
              if (v) setStatus(v as ConsentStatus);
              reset();
            }}
            allowDeselect={false}
          />
          <Button type="submit" size="xs" variant="light" loading={change.isPending} disabled={now === status}>
            {t('customers.consent.save')}
          </Button>
        </Group>
        {change.isError ? (
          <Text size="sm" c="red" role="alert">
            {describeError(t, change.error)}
          </Text>
        ) : outcome ? (
          <Text size="sm" c={outcome === 'saved' ? 'green' : 'dimmed'} role="status">
            {t(`customers.consent.outcomes.${outcome}`)}
          </Text>
        ) : null}
      </Stack>
    </form>
  );
}
