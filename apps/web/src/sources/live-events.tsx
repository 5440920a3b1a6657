import { Accordion, Badge, Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconPlayerPause, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDateFormat } from '../ui/use-date-format';
import { fetchLatestEvents, type SourceEvent } from './api';

/** Most events kept on screen. */
const MAX_EVENTS = 200;
/** Wait before reconnecting after the stream dropped (the server also ends it after ten minutes). */
const RECONNECT_MS = 2000;

type StreamState = 'connecting' | 'open' | 'reconnecting' | 'paused';

/**
 * The latest events of a source, then every new one as it arrives (server-sent events). Reconnects
 * from the last event seen, so nothing is lost or shown twice when the stream drops.
 */
export function useLiveEvents(sourceId: string, paused: boolean) {
  const [events, setEvents] = useState<SourceEvent[]>([]);
  const [state, setState] = useState<StreamState>('connecting');
  const lastSeq = useRef<number | null>(null);

  useEffect(() => {
    if (paused) {
      setState('paused');
      return;
    }
    let cancelled = false;
    let stream: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const connect = () => {
      if (cancelled) return;
      stream = new EventSource(
        `/api/v1/sources/${encodeURIComponent(sourceId)}/events/live?after=${lastSeq.current ?? 0}`,
      );
      stream.onopen = () => setState('open');
      stream.addEventListener('event', (message) => {
        const event = JSON.parse((message as MessageEvent<string>).data) as SourceEvent;
        if (lastSeq.current !== null && event.seq <= lastSeq.current) return;
        lastSeq.current = event.seq;
        setEvents((list) => [event, ...list].slice(0, MAX_EVENTS));
      });
      stream.onerror = () => {
        stream?.close();
        if (cancelled) return;
        setState('reconnecting');
        retry = setTimeout(connect, RECONNECT_MS);
      };
    };

    setState((s) => (s === 'paused' ? 'connecting' : s));
    if (lastSeq.current === null) {
      fetchLatestEvents(sourceId)
        .then(({ data }) => {
          if (cancelled) return;
          lastSeq.current = data[0]?.seq ?? 0;
          setEvents(data);
          connect();
        })
        .catch(() => {
          if (cancelled) return;
          setState('reconnecting');
          retry = setTimeout(() => !cancelled && connect(), RECONNECT_MS);
        });
    } else {
      connect();
    }
    return () => {
      cancelled = true;
      clearTimeout(retry);
      stream?.close();
    };
  }, [sourceId, paused]);

  return { events, state, clear: () => setEvents([]) };
}

function eventTitle(e: SourceEvent): string {
  if (e.type === 'track') return e.event ?? 'track';
  if ((e.type === 'page' || e.type === 'screen') && e.name) return `${e.type}: ${e.name}`;
  return e.type;
}

const STATE_COLOR: Record<StreamState, string> = {
  connecting: 'gray',
  open: 'teal',
  reconnecting: 'orange',
  paused: 'gray',
};

/** The live event debugger: what arrives, as it arrives, each event's full JSON on demand. */
export function LiveEvents({ sourceId }: { sourceId: string }) {
  const { t } = useTranslation();
  const dates = useDateFormat();
  const [paused, setPaused] = useState(false);
  const { events, state, clear } = useLiveEvents(sourceId, paused);
  const stateLabel = {
    connecting: t('sources.live.connecting'),
    open: t('sources.live.listening'),
    reconnecting: t('sources.live.reconnecting'),
    paused: t('sources.live.paused'),
  }[state];

  return (
    <Paper withBorder radius="md" p="lg">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Stack gap={4}>
            <Title order={2} size="h4">
              {t('sources.live.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('sources.live.description')}
            </Text>
          </Stack>
          <Group gap="xs">
            <Badge variant="dot" color={STATE_COLOR[state]} role="status" data-testid="live-state">
              {stateLabel}
            </Badge>
            <Button
              variant="default"
              size="xs"
              onClick={() => setPaused((p) => !p)}
              leftSection={
                paused ? <IconPlayerPlay size={14} aria-hidden /> : <IconPlayerPause size={14} aria-hidden />
              }
            >
              {paused ? t('sources.live.resume') : t('sources.live.pause')}
            </Button>
            <Button
              variant="default"
              size="xs"
              onClick={clear}
              disabled={events.length === 0}
              leftSection={<IconTrash size={14} aria-hidden />}
            >
              {t('sources.live.clear')}
            </Button>
          </Group>
        </Group>
        <Text size="sm" c="dimmed" aria-live="polite">
          {t('sources.live.count', { count: events.length })}
        </Text>
        {events.length === 0 ? (
          <Text size="sm" c="dimmed" ta="center" py="xl">
            {t('sources.live.empty')}
          </Text>
        ) : (
          <Accordion variant="separated" chevronPosition="left" role="log" aria-label={t('sources.live.title')}>
            {events.map((e) => (
              <Accordion.Item key={e.id} value={e.id}>
                <Accordion.Control aria-label={t('sources.live.details', { name: eventTitle(e) })}>
                  <Group justify="space-between" wrap="nowrap" gap="sm">
                    <Group gap="xs" wrap="nowrap" miw={0}>
                      <Badge variant="light" size="sm" miw={72}>
                        {e.type}
                      </Badge>
                      <Text size="sm" fw={500} truncate="end">
                        {eventTitle(e)}
                      </Text>
                    </Group>
                    <Group gap="md" wrap="nowrap">
                      <Text size="xs" c="dimmed" truncate="end" maw={220} visibleFrom="sm">
                        {e.userId ?? e.anonymousId ?? t('sources.live.anonymous')}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {dates.time(e.receivedAt)}
                      </Text>
                    </Group>
                  </Group>
                </Accordion.Control>
                <Accordion.Panel>
                  <Code block style={{ whiteSpace: 'pre', overflowX: 'auto', maxHeight: 360 }} tabIndex={0}>
                    {JSON.stringify(e, null, 2)}
                  </Code>
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        )}
      </Stack>
    </Paper>
  );
}
