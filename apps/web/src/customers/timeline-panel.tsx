import {
  Alert,
  Button,
  Code,
  Collapse,
  Group,
  Select,
  Skeleton,
  Stack,
  Text,
  ThemeIcon,
  Timeline,
  UnstyledButton,
} from '@mantine/core';
import { useIntersection } from '@mantine/hooks';
import {
  IconChevronDown,
  IconChevronRight,
  IconGitMerge,
  IconReceipt,
  IconShieldCheck,
  IconUserPlus,
} from '@tabler/icons-react';
import type { TFunction } from 'i18next';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../ui/errors';
import {
  CONSENT_CHANNELS,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  type Customer,
  type TimelineItem,
  useSources,
  useTimeline,
} from './api';
import { ChannelIcon, useChannelLabel } from './channels';
import { type Formatters, useFormat } from './format';
import { Panel } from './panel';

/** The activity filter: groups of the API's item types. */
const TYPE_GROUPS = {
  all: '',
  pages: 'page,screen',
  actions: 'track',
  profile: 'identify,group,alias,customer.first_seen,customer.merged',
  orders: 'order.completed,order.refunded,order.cancelled',
  consent: 'consent',
  messages:
    'message.sent,message.failed,message.skipped,message.opened,message.clicked,message.unsubscribed,message.delivered,message.undelivered,message.bounced',
} as const;
type TypeGroup = keyof typeof TYPE_GROUPS;
const SMS_TITLES = ['sent', 'failed', 'skipped', 'delivered', 'undelivered', 'unsubscribed'] as const;
const WEBHOOK_TITLES = ['delivered', 'failed', 'skipped'] as const;
// Mantine's Select has no empty-string option: "every channel" needs a value of its own.
const ALL = '*';

/** One timeline across every channel, newest first, loading older items as one scrolls. */
export function TimelinePanel({ customer: c, updatedAt }: { customer: Customer; updatedAt: number }) {
  const { t } = useTranslation();
  const channelLabel = useChannelLabel();
  const [group, setGroup] = useState<TypeGroup>('all');
  const [channel, setChannel] = useState('');
  const timeline = useTimeline(c.id, { type: TYPE_GROUPS[group], channel }, { page: c.timeline, updatedAt });
  const items = timeline.data?.pages.flatMap((p) => p.data) ?? [];
  const { ref: sentinel, entry } = useIntersection({ rootMargin: '400px' });

  // Infinite scroll: the end of the list coming into view loads the next page.
  useEffect(() => {
    if (entry?.isIntersecting && timeline.hasNextPage && !timeline.isFetchingNextPage && !timeline.isError) {
      void timeline.fetchNextPage();
    }
  }, [
    entry?.isIntersecting,
    timeline.hasNextPage,
    timeline.isFetchingNextPage,
    timeline.isError,
    timeline.fetchNextPage,
  ]);

  const filtered = group !== 'all' || channel !== '';

  return (
    <Panel
      title={t('customers.timeline.title')}
      actions={
        <Group gap="xs" wrap="wrap" justify="flex-end">
          <Select
            size="xs"
            w={170}
            aria-label={t('customers.timeline.type')}
            data={(Object.keys(TYPE_GROUPS) as TypeGroup[]).map((g) => ({
              value: g,
              label: t(`customers.timeline.types.${g}`),
            }))}
            value={group}
            onChange={(v) => setGroup((v as TypeGroup) ?? 'all')}
            allowDeselect={false}
          />
          <Select
            size="xs"
            w={170}
            aria-label={t('customers.timeline.channel')}
            data={[
              { value: ALL, label: t('customers.timeline.allChannels') },
              ...c.facts.channels.map((ch) => ({ value: ch, label: channelLabel(ch) })),
            ]}
            value={channel || ALL}
            onChange={(v) => setChannel(!v || v === ALL ? '' : v)}
            allowDeselect={false}
          />
        </Group>
      }
    >
      {timeline.isPending ? (
        <Stack gap="sm" role="status" aria-label={t('customers.timeline.loading')}>
          {[0, 1, 2, 3].map((i) => (
            <Group key={i} gap="sm" wrap="nowrap">
              <Skeleton circle h={28} />
              <Stack gap={4} style={{ flex: 1 }}>
                <Skeleton h={12} w="60%" />
                <Skeleton h={10} w="30%" />
              </Stack>
            </Group>
          ))}
        </Stack>
      ) : timeline.isError && items.length === 0 ? (
        <Alert color="red" role="alert">
          {describeError(t, timeline.error)}
        </Alert>
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {filtered ? t('customers.timeline.emptyFiltered') : t('customers.timeline.empty')}
        </Text>
      ) : (
        <Stack gap="sm">
          <Timeline bulletSize={28} lineWidth={2} aria-busy={timeline.isFetching}>
            {items.map((item) => (
              <Timeline.Item key={item.id} bullet={<ItemBullet item={item} />}>
                <ItemBody item={item} />
              </Timeline.Item>
            ))}
          </Timeline>
          <div ref={sentinel} />
          {timeline.isError ? (
            <Alert color="red" role="alert">
              {describeError(t, timeline.error)}
            </Alert>
          ) : null}
          {timeline.hasNextPage ? (
            <Button
              variant="subtle"
              onClick={() => void timeline.fetchNextPage()}
              loading={timeline.isFetchingNextPage}
              style={{ alignSelf: 'center' }}
            >
              {t('customers.timeline.loadMore')}
            </Button>
          ) : (
            <Text size="xs" c="dimmed" ta="center">
              {t('customers.timeline.end')}
            </Text>
          )}
        </Stack>
      )}
    </Panel>
  );
}

function ItemBullet({ item }: { item: TimelineItem }) {
  if (item.channel) return <ChannelIcon channel={item.channel} size="md" />;
  const Glyph =
    item.type === 'customer.merged'
      ? IconGitMerge
      : item.kind === 'order'
        ? IconReceipt
        : item.kind === 'consent'
          ? IconShieldCheck
          : IconUserPlus;
  return (
    <ThemeIcon variant="light" color="gray" size="md" radius="xl">
      <Glyph size={16} stroke={1.6} aria-hidden />
    </ThemeIcon>
  );
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);

/** The item's title in the reader's language; event names are the business's own words and stay as sent. */
export function itemTitle(t: TFunction, format: Formatters, item: TimelineItem): string {
  const d = item.data;
  const props = (d.properties ?? {}) as Record<string, unknown>;
  const order = str(d.number) ?? (str(d.externalId) ? `#${d.externalId}` : '');
  switch (item.type) {
    case 'customer.first_seen':
      return d.seen === false ? t('customers.timeline.titles.created') : t('customers.timeline.titles.firstSeen');
    case 'customer.merged':
      return t('customers.timeline.titles.merged', { id: str(d.mergedId) ?? '' });
    case 'identify':
      return t('customers.timeline.titles.identify');
    case 'group':
      return t('customers.timeline.titles.group');
    case 'alias':
      return t('customers.timeline.titles.alias');
    case 'page': {
      const name = str(item.title.replace(/^page: ?/, '')) ?? str(props.title) ?? str(props.path);
      return name ? t('customers.timeline.titles.page', { name }) : t('customers.timeline.titles.pageUnnamed');
    }
    case 'screen': {
      const name = str(item.title.replace(/^screen: ?/, ''));
      return name ? t('customers.timeline.titles.screen', { name }) : t('customers.timeline.titles.screenUnnamed');
    }
    case 'order.completed':
      return t('customers.timeline.titles.orderCompleted', {
        order,
        amount: format.money(typeof d.total === 'number' ? d.total : null, str(d.currency)),
      });
    case 'order.refunded':
      return t('customers.timeline.titles.orderRefunded', { order });
    case 'order.cancelled':
      return t('customers.timeline.titles.orderCancelled', { order });
    case 'consent': {
      const channel = CONSENT_CHANNELS.find((c) => c === d.channel);
      const purpose = CONSENT_PURPOSES.find((p) => p === d.purpose);
      const status = CONSENT_STATUSES.find((s) => s === d.status);
      if (!channel || !purpose || !status) return item.title;
      return t('customers.timeline.titles.consent', {
        channel: t(`customers.consent.channels.${channel}`),
        purpose: t(`customers.consent.inline.purposes.${purpose}`),
        status: t(`customers.consent.inline.statuses.${status}`),
      });
    }
  }
  if (item.type.startsWith('message.') && (item.channel === 'sms' || item.channel === 'webhook')) {
    const type = item.type.slice('message.'.length);
    const subject = str(d.subject) ?? '';
    if (item.channel === 'sms' && (SMS_TITLES as readonly string[]).includes(type))
      return t(`customers.timeline.titles.sms.${type as (typeof SMS_TITLES)[number]}`);
    if (item.channel === 'webhook' && (WEBHOOK_TITLES as readonly string[]).includes(type))
      return t(`customers.timeline.titles.webhook.${type as (typeof WEBHOOK_TITLES)[number]}`, { subject });
    return item.title;
  }
  switch (item.type) {
    case 'message.sent':
      return t('customers.timeline.titles.messageSent', { subject: str(d.subject) ?? '' });
    case 'message.failed':
      return t('customers.timeline.titles.messageFailed', { subject: str(d.subject) ?? '' });
    case 'message.skipped':
      return t('customers.timeline.titles.messageSkipped', { subject: str(d.subject) ?? '' });
    case 'message.opened':
      return t('customers.timeline.titles.messageOpened', { subject: str(d.subject) ?? '' });
    case 'message.clicked':
      return t('customers.timeline.titles.messageClicked', { subject: str(d.subject) ?? '' });
    case 'message.unsubscribed':
      return t('customers.timeline.titles.messageUnsubscribed');
    case 'message.delivered':
      return t('customers.timeline.titles.messageDelivered', { subject: str(d.subject) ?? '' });
    case 'message.bounced':
      return t('customers.timeline.titles.messageBounced', { subject: str(d.subject) ?? '' });
  }
  return item.title;
}

function ItemBody({ item }: { item: TimelineItem }) {
  const { t } = useTranslation();
  const format = useFormat();
  const sources = useSources();
  const channelLabel = useChannelLabel();
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const source = item.sourceId ? sources.data?.find((s) => s.id === item.sourceId)?.name : null;
  const details = detailsOf(item);
  return (
    <Stack gap={2}>
      <Text size="sm" fw={500}>
        {itemTitle(t, format, item)}
      </Text>
      <Text size="xs" c="dimmed">
        <time dateTime={item.at}>{format.dateTime(item.at)}</time>
        {item.channel ? ` · ${channelLabel(item.channel)}` : ''}
        {source ? ` · ${t('customers.timeline.via', { source })}` : ''}
      </Text>
      {details ? (
        <>
          <UnstyledButton
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
            aria-controls={detailsId}
            fz="xs"
            c="dimmed"
            style={{ alignSelf: 'flex-start', borderRadius: 4 }}
          >
            <Group gap={2} component="span">
              {open ? <IconChevronDown size={12} aria-hidden /> : <IconChevronRight size={12} aria-hidden />}
              {t('customers.timeline.details')}
            </Group>
          </UnstyledButton>
          <Collapse expanded={open} id={detailsId}>
            <Code block fz="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
              {details}
            </Code>
          </Collapse>
        </>
      ) : null}
    </Stack>
  );
}

/** Properties or traits the event carried, as readable JSON (nothing when it carried none). */
function detailsOf(item: TimelineItem): string | null {
  const d = item.data;
  const payload =
    item.kind === 'event'
      ? (d.properties ?? d.traits)
      : item.kind === 'order' || item.kind === 'message'
        ? d
        : item.kind === 'consent'
          ? { previous: d.previous, source: d.source, evidence: d.evidence }
          : null;
  const shown =
    item.kind === 'event' && d.traits && d.properties && Object.keys(d.properties as object).length === 0
      ? d.traits
      : payload;
  if (!shown || typeof shown !== 'object' || Object.keys(shown).length === 0) return null;
  return JSON.stringify(shown, null, 2);
}
