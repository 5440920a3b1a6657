import {
  Alert,
  Badge,
  Button,
  ColorInput,
  Group,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
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
import { email, required } from '../auth/validation';
import { useCurrentSession } from '../shell/guards';
import { placeError } from '../ui/errors';
import { PasswordField } from '../ui/password-field';
import { type EmailSettings, useEmailSettings, useSaveEmailSettings, useSendTestEmail } from './api';
import { LoadError, SectionHeader, TableSkeleton } from './parts';

/** Email: the SMTP server emails go out through, the sender, the brand every email wears, and a test send. */
export function EmailTab() {
  const { t } = useTranslation();
  const settings = useEmailSettings();
  return (
    <Stack gap="lg">
      <SectionHeader title={t('settings.tabs.email')} intro={t('settings.email.intro')} />
      {settings.isPending ? (
        <TableSkeleton rows={6} />
      ) : settings.isError ? (
        <LoadError error={settings.error} retry={() => void settings.refetch()} />
      ) : (
        <EmailForm key={settings.data.updatedAt ?? 'new'} settings={settings.data} />
      )}
    </Stack>
  );
}

const FIELDS = [
  'host',
  'port',
  'secure',
  'user',
  'password',
  'fromName',
  'fromAddress',
  'replyTo',
  'brand.logoUrl',
  'brand.primaryColor',
  'brand.footerText',
  'brand.postalAddress',
] as const;

function initialValues(s: EmailSettings) {
  return {
    host: s.host ?? '',
    port: s.port as number | string,
    secure: s.secure,
    user: s.user ?? '',
    password: '',
    fromName: s.fromName ?? '',
    fromAddress: s.fromAddress ?? '',
    replyTo: s.replyTo ?? '',
    brand: {
      logoUrl: s.brand.logoUrl ?? '',
      primaryColor: s.brand.primaryColor ?? '',
      footerText: s.brand.footerText ?? '',
      postalAddress: s.brand.postalAddress ?? '',
    },
  };
}

const orNull = (v: string) => (v.trim() ? v.trim() : null);

function EmailForm({ settings }: { settings: EmailSettings }) {
  const { t } = useTranslation();
  const canWrite = useCan('channel_settings', 'write');
  const save = useSaveEmailSettings();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    initialValues: initialValues(settings),
    validate: {
      host: required(t),
      port: (v) =>
        Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= 65535 ? null : t('settings.email.portRange'),
      fromName: required(t),
      fromAddress: email(t),
      replyTo: (v) => (v.trim() ? email(t)(v) : null),
    },
  });

  const submit = form.onSubmit(async (v) => {
    setAlert(null);
    try {
      await save.mutateAsync({
        host: v.host.trim(),
        port: Number(v.port),
        secure: v.secure,
        user: orNull(v.user),
        // An empty field keeps the stored password.
        ...(v.password ? { password: v.password } : {}),
        fromName: v.fromName.trim(),
        fromAddress: v.fromAddress.trim(),
        replyTo: orNull(v.replyTo),
        brand: {
          logoUrl: orNull(v.brand.logoUrl),
          primaryColor: orNull(v.brand.primaryColor),
          footerText: orNull(v.brand.footerText),
          postalAddress: orNull(v.brand.postalAddress),
        },
      });
      notifications.show({ color: 'teal', message: t('settings.email.saved') });
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
            <Title order={3} size="h4">
              {t('settings.email.serverTitle')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <TextInput
                label={t('settings.email.host')}
                placeholder="smtp.example.com"
                required
                disabled={!canWrite}
                autoComplete="off"
                style={{ gridColumn: 'span 2' }}
                {...form.getInputProps('host')}
              />
              <NumberInput
                label={t('settings.email.port')}
                required
                min={1}
                max={65535}
                allowDecimal={false}
                allowNegative={false}
                disabled={!canWrite}
                {...form.getInputProps('port')}
              />
            </SimpleGrid>
            <Switch
              label={t('settings.email.secure')}
              description={t('settings.email.secureHelp')}
              disabled={!canWrite}
              {...form.getInputProps('secure', { type: 'checkbox' })}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={t('settings.email.user')}
                autoComplete="off"
                disabled={!canWrite}
                {...form.getInputProps('user')}
              />
              <PasswordField
                label={
                  <Group gap={6} component="span">
                    {t('settings.email.password')}
                    {settings.passwordSet ? (
                      <Badge size="xs" variant="light" color="teal" tt="none" component="span">
                        {t('settings.email.passwordSet')}
                      </Badge>
                    ) : null}
                  </Group>
                }
                description={
                  settings.passwordSet ? t('settings.email.passwordKeep') : t('settings.email.passwordWriteOnly')
                }
                placeholder={settings.passwordSet ? '••••••••' : undefined}
                autoComplete="new-password"
                disabled={!canWrite}
                {...form.getInputProps('password')}
              />
            </SimpleGrid>

            <Title order={3} size="h4" mt="sm">
              {t('settings.email.senderTitle')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={t('settings.email.fromName')}
                required
                disabled={!canWrite}
                {...form.getInputProps('fromName')}
              />
              <TextInput
                label={t('settings.email.fromAddress')}
                type="email"
                required
                disabled={!canWrite}
                {...form.getInputProps('fromAddress')}
              />
              <TextInput
                label={t('settings.email.replyTo')}
                type="email"
                description={t('settings.email.replyToHelp')}
                disabled={!canWrite}
                {...form.getInputProps('replyTo')}
              />
            </SimpleGrid>

            <Title order={3} size="h4" mt="sm">
              {t('settings.email.brandTitle')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('settings.email.brandIntro')}
            </Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={t('settings.email.logoUrl')}
                placeholder="https://"
                type="url"
                disabled={!canWrite}
                {...form.getInputProps('brand.logoUrl')}
              />
              <ColorInput
                label={t('settings.email.primaryColor')}
                format="hex"
                placeholder="#1a6b4c"
                disabled={!canWrite}
                {...form.getInputProps('brand.primaryColor')}
              />
            </SimpleGrid>
            <Textarea
              label={t('settings.email.footerText')}
              autosize
              minRows={2}
              disabled={!canWrite}
              {...form.getInputProps('brand.footerText')}
            />
            <Textarea
              label={t('settings.email.postalAddress')}
              description={t('settings.email.postalAddressHelp')}
              autosize
              minRows={2}
              disabled={!canWrite}
              {...form.getInputProps('brand.postalAddress')}
            />
            {canWrite ? (
              <Group justify="flex-end">
                <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
                  {t('settings.email.save')}
                </Button>
              </Group>
            ) : null}
          </Stack>
        </form>
      </Paper>
      {canWrite ? <TestEmail configured={settings.configured} unsaved={form.isDirty()} /> : null}
    </Stack>
  );
}

/** Sends a test email through the saved settings and shows what the mail server answered. */
function TestEmail({ configured, unsaved }: { configured: boolean; unsaved: boolean }) {
  const { t } = useTranslation();
  const session = useCurrentSession();
  const send = useSendTestEmail();
  const [to, setTo] = useState(session.user.email);
  const [result, setResult] = useState<{ ok: true; to: string } | { ok: false; message: string } | null>(null);
  const invalid = email(t)(to);

  const run = async (e: React.FormEvent) => {
    e.preventDefault();
    if (invalid) return;
    setResult(null);
    try {
      const r = await send.mutateAsync(to.trim());
      setResult({ ok: true, to: r.to });
    } catch (error) {
      // The API words SMTP failures for people (502 included): show its text.
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
            {t('settings.email.testTitle')}
          </Title>
          <Text size="sm" c="dimmed">
            {!configured
              ? t('settings.email.testNeedsSettings')
              : unsaved
                ? t('settings.email.testUnsaved')
                : t('settings.email.testIntro')}
          </Text>
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label={t('settings.email.testTo')}
              type="email"
              value={to}
              onChange={(e) => setTo(e.currentTarget.value)}
              error={to && invalid ? invalid : undefined}
              style={{ flex: '1 1 240px' }}
            />
            <Button
              type="submit"
              leftSection={<IconSend size={16} aria-hidden />}
              loading={send.isPending}
              disabled={!configured || unsaved || !!invalid}
            >
              {t('settings.email.testSend')}
            </Button>
          </Group>
          <div aria-live="polite">
            {result?.ok ? (
              <Alert color="teal" icon={<IconCircleCheck />} title={t('settings.email.testSentTitle')}>
                {t('settings.email.testSent', { to: result.to })}
              </Alert>
            ) : result ? (
              <Alert color="red" icon={<IconAlertCircle />} title={t('settings.email.testFailedTitle')}>
                {result.message}
              </Alert>
            ) : null}
          </div>
        </Stack>
      </form>
    </Paper>
  );
}
