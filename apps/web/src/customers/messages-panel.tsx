import { Alert, Badge, Code, Skeleton, Stack, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../api/permissions';
import { describeError } from '../ui/errors';
import { type Message, type MessageStatus, useCustomerMessages, useMessage } from './api';
import { useFormat } from './format';
import { DetailsRow, ExpandToggle, LoadMore, Panel, PanelStates } from './panel';

const STATUS_COLORS: Record<MessageStatus, string> = {
  queued: 'gray',
  sent: 'blue',
  delivered: 'blue',
  opened: 'teal',
  clicked: 'green',
  bounced: 'orange',
  failed: 'red',
  skipped: 'yellow',
};
const EVENT_TYPES = [
  'queued',
  'deferred',
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'failed',
  'skipped',
  'unsubscribed',
  'undelivered',
] as const;
const REASONS = [
  'no_consent_check',
  'no_consent',
  'no_address',
  'email_not_configured',
  'password_unreadable',
  'no_consent_sms',
  'no_address_sms',
  'invalid_phone',
  'sms_not_configured',
  'auth_token_unreadable',
  'endpoint_disabled',
  'endpoint_missing',
  'url_not_allowed',
  'secret_unreadable',
] as const;
/** Reasons whose words depend on the channel (consent and address of an SMS are not an email's). */
const PER_CHANNEL = new Set(['no_consent', 'no_address']);

/** The emails this customer was sent (or that were skipped, and why), newest first; each opens to its events. */
export function MessagesPanel({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const canRead = useCan('messages', 'read');
  const messages = useCustomerMessages(customerId, canRead);
  const [open, setOpen] = useState<string | null>(null);
  if (!canRead) return null;
  const rows = messages.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <Panel title={t('customers.messages.title')}>
      <PanelStates query={messages} lines={2} isEmpty={rows.length === 0} empty={t('customers.messages.none')}>
        {() => (
          <Stack gap="xs">
            <Table.ScrollContainer minWidth={520}>
              <Table verticalSpacing="xs" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={36} aria-hidden />
                    <Table.Th>{t('customers.messages.channel')}</Table.Th>
                    <Table.Th>{t('customers.messages.subject')}</Table.Th>
                    <Table.Th>{t('customers.messages.date')}</Table.Th>
                    <Table.Th>{t('customers.messages.purpose')}</Table.Th>
                    <Table.Th>{t('customers.messages.status')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((m) => {
                    const expanded = open === m.id;
                    const subject = m.subject ?? t('customers.messages.noSubject');
                    return (
                      <Fragment key={m.id}>
                        <Table.Tr>
                          <Table.Td>
                            <ExpandToggle
                              expanded={expanded}
                              controls={`message-${m.id}`}
                              label={
                                expanded
                                  ? t('customers.messages.hideEvents', { subject })
                                  : t('customers.messages.showEvents', { subject })
                              }
                              onToggle={() => setOpen(expanded ? null : m.id)}
                            />
                          </Table.Td>
                          <Table.Td>{t(`customers.messages.channels.${m.channel}`)}</Table.Td>
                          <Table.Td fw={500}>
                            {subject}
                            {m.sms ? (
                              <Text size="xs" c="dimmed">
                                {t('customers.messages.segments', {
                                  count: m.sms.segments,
                                  characters: m.sms.characters,
                                  encoding: m.sms.encoding,
                                })}
                              </Text>
                            ) : null}
                          </Table.Td>
                          <Table.Td style={{ whiteSpace: 'nowrap' }}>
                            {format.dateTime(m.sentAt ?? m.createdAt)}
                          </Table.Td>
                          <Table.Td>{t(`customers.messages.purposes.${m.purpose}`)}</Table.Td>
                          <Table.Td>
                            <StatusBadge message={m} />
                          </Table.Td>
                        </Table.Tr>
                        {expanded ? (
                          <DetailsRow id={`message-${m.id}`} colSpan={5}>
                            <MessageEvents messageId={m.id} />
                          </DetailsRow>
                        ) : null}
                      </Fragment>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <LoadMore query={messages} label={t('customers.messages.loadMore')} />
          </Stack>
        )}
      </PanelStates>
    </Panel>
  );
}

/** A known reason in the reader's language; an SMTP answer as the server wrote it. */
export function useReasonText() {
  const { t } = useTranslation();
  return (reason: string | null, channel?: Message['channel']) => {
    if (!reason) return null;
    const key = channel === 'sms' && PER_CHANNEL.has(reason) ? `${reason}_sms` : reason;
    if ((REASONS as readonly string[]).includes(key))
      return t(`customers.messages.reasons.${key as (typeof REASONS)[number]}`);
    return reason;
  };
}

function StatusBadge({ message: m }: { message: Message }) {
  const { t } = useTranslation();
  const reason = useReasonText()(m.statusReason, m.channel);
  return (
    <Stack gap={2}>
      <Badge variant="light" color={STATUS_COLORS[m.status] ?? 'gray'} tt="none">
        {t(`customers.messages.statuses.${m.status}`)}
      </Badge>
      {reason && (m.status === 'failed' || m.status === 'skipped' || m.status === 'queued') ? (
        <Text size="xs" c="dimmed" maw={260} style={{ wordBreak: 'break-word' }}>
          {reason}
        </Text>
      ) : null}
    </Stack>
  );
}

function MessageEvents({ messageId }: { messageId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const reasonText = useReasonText();
  const message = useMessage(messageId);
  if (message.isPending) return <Skeleton h={40} role="status" aria-label={t('app.loading')} />;
  if (message.isError)
    return (
      <Alert color="red" role="alert">
        {describeError(t, message.error)}
      </Alert>
    );
  const m = message.data;
  const eventLabel = (type: string) =>
    (EVENT_TYPES as readonly string[]).includes(type)
      ? t(`customers.messages.events.${type as (typeof EVENT_TYPES)[number]}`)
      : type;
  return (
    <Stack gap="xs">
      {m.to ? (
        <Text size="sm">
          {t('customers.messages.to')}: <Code>{m.to}</Code>
        </Text>
      ) : null}
      <Table fz="sm" verticalSpacing={4} aria-label={t('customers.messages.eventsLabel')}>
        <Table.Tbody>
          {m.events.map((e) => (
            <Table.Tr key={e.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.dateTime(e.at)}</Table.Td>
              <Table.Td>{eventLabel(e.type)}</Table.Td>
              <Table.Td style={{ wordBreak: 'break-all' }}>{e.url ?? reasonText(e.reason, m.channel) ?? ''}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
