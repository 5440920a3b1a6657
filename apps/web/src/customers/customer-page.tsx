import {
  Alert,
  Anchor,
  Avatar,
  Badge,
  Button,
  EmptyState,
  Grid,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import {
  IconArrowLeft,
  IconBuilding,
  IconClock,
  IconMail,
  IconPhone,
  IconUser,
  IconUserQuestion,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { CustomerJourneysPanel } from '../journeys/customer-journeys-panel';
import { CustomerPredictionsPanel } from '../predictions/customer-predictions-panel';
import { useCurrentSession } from '../shell/guards';
import { LoadError } from '../ui/states';
import { usePageTitle } from '../ui/use-page-title';
import { type Customer, useCustomer } from './api';
import { ChannelIcons } from './channels';
import { ConsentPanel } from './consent-panel';
import { useFormat } from './format';
import { ConflictsPanel, IdentitiesPanel, MergeHistoryPanel } from './identity-panels';
import { MessagesPanel } from './messages-panel';
import { OrdersPanel } from './orders-panel';
import { Panel } from './panel';
import { canWriteCustomers, customerName, initialsOf } from './people';
import { ProfilePanel, TraitsPanel } from './profile-panels';
import { TimelinePanel } from './timeline-panel';

/** Customer 360: who they are, what they did on every channel, what they bought, and the team's notes. */
export function CustomerPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const customer = useCustomer(id);
  const session = useCurrentSession();
  const canWrite = canWriteCustomers(session.role);
  const name = customer.data ? customerName(t, customer.data) : t('customers.list.title');
  usePageTitle(name);

  const back = (
    <Anchor component={RouterLink} to="/customers" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={14} aria-hidden />
        {t('customers.detail.back')}
      </Group>
    </Anchor>
  );

  if (customer.isPending) {
    return (
      <Stack gap="md" role="status" aria-label={t('app.loading')}>
        {back}
        <Skeleton h={140} radius="md" />
        <Grid>
          <Grid.Col span={{ base: 12, lg: 8 }}>
            <Skeleton h={420} radius="md" />
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 4 }}>
            <Skeleton h={420} radius="md" />
          </Grid.Col>
        </Grid>
      </Stack>
    );
  }

  if (customer.isError) {
    const notFound = customer.error instanceof ApiError && customer.error.status === 404;
    return (
      <Stack gap="md">
        {back}
        {notFound ? (
          <Paper withBorder p="xl" radius="md">
            <EmptyState variant="light" icon={<IconUserQuestion size={28} stroke={1.5} aria-hidden />}>
              <EmptyState.Title order={1}>{t('customers.detail.notFoundTitle')}</EmptyState.Title>
              <EmptyState.Description>{t('customers.detail.notFound')}</EmptyState.Description>
              <EmptyState.Actions>
                <Button component={RouterLink} to="/customers" variant="light">
                  {t('customers.detail.back')}
                </Button>
              </EmptyState.Actions>
            </EmptyState>
          </Paper>
        ) : (
          <LoadError error={customer.error} retry={() => void customer.refetch()} />
        )}
      </Stack>
    );
  }

  const c = customer.data;
  return (
    <Stack gap="md">
      {back}
      {c.mergedFrom ? (
        <Alert color="blue" variant="light">
          {t('customers.detail.mergedFrom', { id: c.mergedFrom })}
        </Alert>
      ) : null}
      <Header customer={c} name={name} />
      {!canWrite ? (
        <Text size="sm" c="dimmed">
          {t('customers.readOnly')}
        </Text>
      ) : null}
      <ConflictsPanel customer={c} canWrite={canWrite} />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <TimelinePanel customer={c} updatedAt={customer.dataUpdatedAt} />
            <OrdersPanel customerId={c.id} />
            <MessagesPanel customerId={c.id} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <ProfilePanel customer={c} canWrite={canWrite} />
            <CustomerPredictionsPanel customerId={c.id} canWrite={canWrite} />
            <ConsentPanel customerId={c.id} canWrite={canWrite} />
            <CustomerJourneysPanel customerId={c.id} />
            <TraitsPanel customer={c} canWrite={canWrite} />
            <IdentitiesPanel customer={c} />
            <MergeHistoryPanel customer={c} />
            <CompaniesPanel customer={c} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

function Header({ customer: c, name }: { customer: Customer; name: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const currency = c.facts.currency;
  return (
    <Paper withBorder radius="md" p="lg">
      <Stack gap="md">
        <Group gap="md" wrap="nowrap" align="flex-start">
          <Avatar size={56} radius="xl" color="blue" aria-hidden>
            {initialsOf(name) || <IconUser size={24} />}
          </Avatar>
          <Stack gap={4} style={{ minWidth: 0 }}>
            <Title order={1} size="h2">
              {name}
            </Title>
            <Group gap="md" wrap="wrap" aria-label={t('customers.detail.identifiers')} role="list">
              {c.email ? <Fact icon={<IconMail size={14} aria-hidden />} text={c.email} /> : null}
              {c.phone ? <Fact icon={<IconPhone size={14} aria-hidden />} text={c.phone} /> : null}
              {c.userId ? <Fact icon={<IconUser size={14} aria-hidden />} text={c.userId} /> : null}
              <Text size="sm" c="dimmed" role="listitem">
                {c.id}
              </Text>
            </Group>
            <Text size="sm" c="dimmed">
              {t('customers.detail.customerSince', { date: format.date(c.createdAt) })}
            </Text>
          </Stack>
        </Group>
        <SimpleGrid
          cols={{ base: 2, sm: 4, lg: 7 }}
          spacing="md"
          component="dl"
          aria-label={t('customers.detail.facts')}
          style={{ margin: 0 }}
        >
          <KeyFact label={t('customers.detail.firstSeen')} value={format.date(c.facts.firstSeenAt)} />
          <KeyFact label={t('customers.detail.lastSeen')} value={format.dateTime(c.facts.lastSeenAt)} />
          <KeyFact label={t('customers.detail.orders')} value={format.number(c.facts.orders)} />
          <KeyFact label={t('customers.detail.revenue')} value={format.money(c.facts.revenue, currency)} />
          <KeyFact label={t('customers.detail.aov')} value={format.money(c.facts.averageOrderValue, currency)} />
          <KeyFact
            label={t('customers.detail.channels')}
            value={
              c.facts.channels.length ? (
                <ChannelIcons channels={c.facts.channels} />
              ) : (
                <Text size="sm" c="dimmed" component="span">
                  {t('customers.detail.noChannels')}
                </Text>
              )
            }
          />
          <KeyFact
            label={t('customers.detail.localTime')}
            value={
              c.timezone ? (
                <Group gap={4} wrap="nowrap" component="span">
                  <IconClock size={14} aria-hidden />
                  <span>
                    {t('customers.detail.localTimeValue', { time: format.timeIn(c.timezone), zone: c.timezone })}
                  </span>
                </Group>
              ) : (
                <Text size="sm" c="dimmed" component="span">
                  {t('customers.detail.timeZoneUnknown')}
                </Text>
              )
            }
          />
        </SimpleGrid>
        {c.tags.length ? (
          <Group gap={6}>
            {c.tags.map((tag) => (
              <Badge key={tag} variant="light" tt="none">
                {tag}
              </Badge>
            ))}
          </Group>
        ) : null}
      </Stack>
    </Paper>
  );
}

function Fact({ icon, text }: { icon: ReactNode; text: string }) {
  return (
    <Group gap={4} wrap="nowrap" role="listitem">
      {icon}
      <Text size="sm" truncate="end">
        {text}
      </Text>
    </Group>
  );
}

function KeyFact({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text component="dd" size="sm" fw={500} m={0} mt={2}>
        {value}
      </Text>
    </div>
  );
}

function CompaniesPanel({ customer: c }: { customer: Customer }) {
  const { t } = useTranslation();
  return (
    <Panel title={t('customers.companies.title')}>
      {c.companies.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('customers.companies.none')}
        </Text>
      ) : (
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
          {c.companies.map((co) => (
            <Group key={co.id} gap="xs" wrap="nowrap" component="li">
              <IconBuilding size={16} aria-hidden />
              <div>
                <Text size="sm" fw={500}>
                  {co.name ?? co.groupId}
                </Text>
                <Text size="xs" c="dimmed">
                  {t('customers.companies.groupId', { id: co.groupId })}
                </Text>
              </div>
            </Group>
          ))}
        </Stack>
      )}
    </Panel>
  );
}
