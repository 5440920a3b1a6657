import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconCircleCheck, IconLock, IconSend } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { useCan } from '../api/permissions';
import { placeError } from '../ui/errors';
import { PasswordField } from '../ui/password-field';
import { type SmsProviderName, type SmsSettings, useSaveSmsSettings, useSendTestSms, useSmsSettings } from './api';
import { CopyField, LoadError, SectionHeader, TableSkeleton } from './parts';

const E164 = /^\+[1-9]\d{7,14}$/;

/** SMS: the provider texts go out through (Twilio-compatible, or `log` while developing), and a test send. */
export function SmsTab() {
  const { t } = useTranslation();
  const settings = useSmsSettings();
  return (
    <Stack gap="lg">
      <SectionHeader title={t('settings.tabs.sms')} intro={t('settings.sms.intro')} />
      {settings.isPending ? (
        <TableSkeleton rows={5} />
      ) : settings.isError ? (
        <LoadError error={settings.error} retry={() => void settings.refetch()} />
      ) : (
        <SmsForm key={settings.data.updatedAt ?? 'new'} settings={settings.data} />
      )}
    </Stack>
  );
}

const FIELDS = ['provider', 'baseUrl', 'accountSid', 'authToken', 'fromNumber', 'messagingServiceSid'] as const;
const orNull = (v: string) => (v.trim() ? v.trim() : null);

function SmsForm({ settings }: { settings: SmsSettings }) {
  const { t } = useTranslation();
  const canWrite = useCan('channel_settings', 'write');
  const save = useSaveSmsSettings();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    initialValues: {
      provider: (settings.provider ?? 'twilio') as SmsProviderName,
      baseUrl: settings.baseUrl ?? '',
      accountSid: settings.accountSid ?? '',
      authToken: '',
      fromNumber: settings.fromNumber ?? '',
      messagingServiceSid: settings.messagingServiceSid ?? '',
    },
    validate: {
      accountSid: (v, all) => (all.provider === 'twilio' && !v.trim() ? t('settings.sms.required') : null),
      authToken: (v, all) =>
        all.provider === 'twilio' && !v && !settings.authTokenSet ? t('settings.sms.required') : null,
      fromNumber: (v, all) =>
        v.trim() && !E164.test(v.trim())
          ? t('settings.sms.e164')
          : all.provider === 'twilio' && !v.trim() && !all.messagingServiceSid.trim()
            ? t('settings.sms.senderRequired')
            : null,
    },
  });
  const twilio = form.values.provider === 'twilio';

  const submit = form.onSubmit(async (v) => {
    setAlert(null);
    try {
      await save.mutateAsync(
        v.provider === 'log'
          ? { provider: 'log' }
          : {
              provider: 'twilio',
              baseUrl: orNull(v.baseUrl),
              accountSid: orNull(v.accountSid),
              // An empty field keeps the stored token.
              ...(v.authToken ? { authToken: v.authToken } : {}),
              fromNumber: orNull(v.fromNumber),
              messagingServiceSid: orNull(v.messagingServiceSid),
            },
      );
      notifications.show({ color: 'teal', message: t('settings.sms.saved') });
    } catch (error) {
      setAlert(placeError(t, error, form, FIELDS));
    }
  });

  return (
    <Stack gap="lg" maw={760}>
      <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }}>
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            {!canWrite ? (
              <Alert color="gray" variant="light" icon={<IconLock />}>
                {t('settings.readOnly')}
              </Alert>
            ) : null}
            {alert ? (
              <Alert color="red" icon={<IconAlertCircle />} title={t('errors.title')}>
                {alert}
              </Alert>
            ) : null}
            <Stack gap={4}>
              <Text size="sm" fw={500} id="sms-provider-label">
                {t('settings.sms.provider')}
              </Text>
              <SegmentedControl
                aria-labelledby="sms-provider-label"
                disabled={!canWrite}
                data={[
                  { value: 'twilio', label: t('settings.sms.providers.twilio') },
                  { value: 'log', label: t('settings.sms.providers.log') },
                ]}
                {...form.getInputProps('provider')}
              />
              <Text size="xs" c="dimmed">
                {twilio ? t('settings.sms.twilioHelp') : t('settings.sms.logHelp')}
              </Text>
            </Stack>
            {twilio ? (
              <>
                <TextInput
                  label={t('settings.sms.baseUrl')}
                  description={t('settings.sms.baseUrlHelp')}
                  placeholder="https://api.twilio.com"
                  type="url"
                  disabled={!canWrite}
                  {...form.getInputProps('baseUrl')}
                />
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <TextInput
                    label={t('settings.sms.accountSid')}
                    placeholder="AC…"
                    required
                    autoComplete="off"
                    disabled={!canWrite}
                    {...form.getInputProps('accountSid')}
                  />
                  <PasswordField
                    label={
                      <Group gap={6} component="span">
                        {t('settings.sms.authToken')}
                        {settings.authTokenSet ? (
                          <Badge size="xs" variant="light" color="teal" tt="none" component="span">
                            {t('settings.sms.authTokenSet')}
                          </Badge>
                        ) : null}
                      </Group>
                    }
                    description={
                      settings.authTokenSet ? t('settings.sms.authTokenKeep') : t('settings.sms.authTokenWriteOnly')
                    }
                    placeholder={settings.authTokenSet ? '••••••••' : undefined}
                    autoComplete="new-password"
                    disabled={!canWrite}
                    {...form.getInputProps('authToken')}
                  />
                  <TextInput
                    label={t('settings.sms.fromNumber')}
                    placeholder="+34600123456"
                    type="tel"
                    disabled={!canWrite}
                    {...form.getInputProps('fromNumber')}
                  />
                  <TextInput
                    label={t('settings.sms.messagingServiceSid')}
                    description={t('settings.sms.messagingServiceHelp')}
                    placeholder="MG…"
                    autoComplete="off"
                    disabled={!canWrite}
                    {...form.getInputProps('messagingServiceSid')}
                  />
                </SimpleGrid>
                <Title order={3} size="h4" mt="sm">
                  {t('settings.sms.callbacksTitle')}
                </Title>
                <Text size="sm" c="dimmed">
                  {t('settings.sms.callbacksIntro')}
                </Text>
                <CopyField label={t('settings.sms.statusCallbackUrl')} value={settings.statusCallbackUrl} mono />
                <CopyField label={t('settings.sms.inboundUrl')} value={settings.inboundUrl} mono />
              </>
            ) : null}
            {canWrite ? (
              <Group justify="flex-end">
                <Button type="submit" loading={save.isPending} disabled={!form.isDirty() && settings.configured}>
                  {t('settings.sms.save')}
                </Button>
              </Group>
            ) : null}
          </Stack>
        </form>
      </Paper>
      {canWrite ? <TestSms configured={settings.configured} unsaved={form.isDirty()} /> : null}
    </Stack>
  );
}

/** Sends a test SMS through the saved settings and shows what the provider answered. */
function TestSms({ configured, unsaved }: { configured: boolean; unsaved: boolean }) {
  const { t } = useTranslation();
  const send = useSendTestSms();
  const [to, setTo] = useState('');
  const [result, setResult] = useState<
    { ok: true; to: string; segments: number; provider: string } | { ok: false; message: string } | null
  >(null);
  const invalid = to.trim() && !E164.test(to.trim()) ? t('settings.sms.e164') : null;

  const run = async (e: React.FormEvent) => {
    e.preventDefault();
    if (invalid || !to.trim()) return;
    setResult(null);
    try {
      const r = await send.mutateAsync(to.trim());
      setResult({ ok: true, to: r.to, segments: r.segments, provider: r.provider });
    } catch (error) {
      const message =
        error instanceof ApiError && error.message ? error.message.replace(/^to: /, '') : t('errors.generic');
      setResult({ ok: false, message });
    }
  };

  return (
    <Paper withBorder radius="md" p={{ base: 'md', sm: 'xl' }}>
      <form onSubmit={run} noValidate>
        <Stack gap="sm">
          <Title order={3} size="h4">
            {t('settings.sms.testTitle')}
          </Title>
          <Text size="sm" c="dimmed">
            {!configured
              ? t('settings.sms.testNeedsSettings')
              : unsaved
                ? t('settings.sms.testUnsaved')
                : t('settings.sms.testIntro')}
          </Text>
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label={t('settings.sms.testTo')}
              type="tel"
              placeholder="+34600123456"
              value={to}
              onChange={(e) => setTo(e.currentTarget.value)}
              error={invalid ?? undefined}
              style={{ flex: '1 1 240px' }}
            />
            <Button
              type="submit"
              leftSection={<IconSend size={16} aria-hidden />}
              loading={send.isPending}
              disabled={!configured || unsaved || !!invalid || !to.trim()}
            >
              {t('settings.sms.testSend')}
            </Button>
          </Group>
          <div aria-live="polite">
            {result?.ok ? (
              <Alert color="teal" icon={<IconCircleCheck />} title={t('settings.sms.testSentTitle')}>
                {result.provider === 'log'
                  ? t('settings.sms.testLogged', { to: result.to })
                  : t('settings.sms.testSent', { to: result.to, count: result.segments })}
              </Alert>
            ) : result ? (
              <Alert color="red" icon={<IconAlertCircle />} title={t('settings.sms.testFailedTitle')}>
                {result.message}
              </Alert>
            ) : null}
          </div>
        </Stack>
      </form>
    </Paper>
  );
}
