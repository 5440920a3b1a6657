import { Anchor, Badge, Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { useCan } from '../api/permissions';
import { Panel, PanelStates } from '../customers/panel';
import { useFormat } from '../ui/format';
import { type CustomerJourney, useCustomerJourneys } from './api';

const STATE_COLORS: Record<string, string> = {
  active: 'blue',
  completed: 'gray',
  converted: 'teal',
  exited: 'yellow',
  failed: 'red',
};
const STATES = ['active', 'completed', 'converted', 'exited', 'failed'] as const;
const REASONS = [
  'end',
  'goal_step',
  'exit_step',
  'goal',
  'exit_rule',
  'version_missing',
  'customer_gone',
  'holdout',
  'step_failed',
  'archived',
  'merged',
] as const;

/** Customer 360: the journeys this customer is in or was in, where they are and how it ended. */
export function CustomerJourneysPanel({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const canRead = useCan('journeys', 'read');
  const journeys = useCustomerJourneys(customerId, canRead);
  if (!canRead) return null;
  return (
    <Panel title={t('journeys.customer.title')}>
      <PanelStates query={journeys} isEmpty={(journeys.data ?? []).length === 0} empty={t('journeys.customer.none')}>
        {() => (
          <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {(journeys.data ?? []).map((e) => (
              <EnrollmentItem key={e.id} enrollment={e} />
            ))}
          </Stack>
        )}
      </PanelStates>
    </Panel>
  );
}

function EnrollmentItem({ enrollment: e }: { enrollment: CustomerJourney }) {
  const { t } = useTranslation();
  const f = useFormat();
  const state = (STATES as readonly string[]).includes(e.state)
    ? t(`journeys.customer.states.${e.state as (typeof STATES)[number]}`)
    : e.state;
  const reason =
    e.endReason && (REASONS as readonly string[]).includes(e.endReason)
      ? t(`journeys.customer.reasons.${e.endReason as (typeof REASONS)[number]}`)
      : e.endReason;
  return (
    <Stack gap={2} component="li" data-testid="customer-journey">
      <Group gap="xs" wrap="wrap">
        <Anchor component={RouterLink} to={`/journeys/${e.journeyId}`} size="sm" fw={500}>
          {e.journeyName}
        </Anchor>
        <Badge size="sm" variant="light" color={STATE_COLORS[e.state] ?? 'gray'} tt="none">
          {state}
        </Badge>
        {e.holdout ? (
          <Badge size="sm" variant="outline" color="gray" tt="none">
            {t('journeys.customer.holdout')}
          </Badge>
        ) : null}
      </Group>
      <Text size="xs" c="dimmed">
        {[
          t('journeys.customer.entered', { time: f.dateTime(e.enteredAt) }),
          e.state === 'active' && e.node ? t('journeys.customer.step', { step: e.node }) : null,
          e.state === 'active' && e.waitingFor ? t('journeys.customer.waitingFor', { event: e.waitingFor }) : null,
          e.state === 'active' && e.nextAt ? t('journeys.customer.next', { time: f.dateTime(e.nextAt) }) : null,
          e.endedAt ? t('journeys.customer.ended', { time: f.dateTime(e.endedAt) }) : null,
          reason,
        ]
          .filter(Boolean)
          .join(' · ')}
      </Text>
    </Stack>
  );
}
