import {
  Alert,
  Anchor,
  Button,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowLeft } from '@tabler/icons-react';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useCan } from '../api/permissions';
import { useSession } from '../api/session';
import { describeError } from '../ui/errors';
import { FormAlert, LoadError, TableSkeleton } from '../ui/states';
import { usePageTitle } from '../ui/use-page-title';
import { filledVariants, useSaveTemplate, useSendTest, useTemplate, useTemplatePreview, type Variants } from './api';

const LANGUAGES = ['en', 'es'] as const;
const EMPTY: Variants = { en: { subject: '', html: '', text: '' }, es: { subject: '', html: '', text: '' } };

/** Create or edit an email template: both languages side by side with a live preview in the brand layout. */
export function TemplateEditorPage() {
  const { key } = useParams();
  const existing = useTemplate(key);
  if (key && existing.isPending) return <TableSkeleton />;
  if (key && (existing.isError || !existing.data))
    return <LoadError error={existing.error} retry={() => void existing.refetch()} />;
  return <Editor key={key ?? 'new'} templateKey={key} initial={existing.data} />;
}

function Editor({
  templateKey,
  initial,
}: {
  templateKey: string | undefined;
  initial: { name: string; variants: Variants; version: number } | undefined;
}) {
  const { t } = useTranslation();
  usePageTitle(initial?.name ?? t('templates.editor.titleNew'));
  const navigate = useNavigate();
  const session = useSession();
  const canWrite = useCan('messages', 'write');
  const [newKey, setNewKey] = useState('');
  const [name, setName] = useState(initial?.name ?? '');
  const [variants, setVariants] = useState<Variants>({ ...EMPTY, ...(initial?.variants ?? {}) });
  const [language, setLanguage] = useState<string>('en');
  const [purpose, setPurpose] = useState<'marketing' | 'transactional'>('marketing');
  const [testTo, setTestTo] = useState(session.data?.user?.email ?? '');
  const [debounced] = useDebouncedValue(variants, 400);
  const filled = useMemo(() => filledVariants(debounced), [debounced]);
  const preview = useTemplatePreview(filled, purpose);
  const save = useSaveTemplate(templateKey);
  const sendTest = useSendTest();
  useEffect(() => {
    if (!testTo && session.data?.user?.email) setTestTo(session.data.user.email);
  }, [session.data, testTo]);

  const set = (field: 'subject' | 'html' | 'text', value: string) =>
    setVariants((v) => ({ ...v, [language]: { ...(v[language] ?? { subject: '', html: '' }), [field]: value } }));
  const current = variants[language] ?? { subject: '', html: '', text: '' };
  const shown = preview.data?.find((p) => p.locale === language) ?? null;
  const fieldError = (field: string) =>
    save.error instanceof ApiError && save.error.field === field ? describeError(t, save.error) : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v = filledVariants(variants);
    if (!v) return;
    const saved = await save.mutateAsync({
      key: templateKey ?? newKey.trim(),
      name: name.trim() || undefined,
      variants: v,
    });
    if (!templateKey) navigate(`/templates/${encodeURIComponent(saved.key)}`, { replace: true });
  };

  return (
    <Stack gap="lg">
      <Anchor component={RouterLink} to="/templates" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} aria-hidden />
          {t('templates.editor.back')}
        </Group>
      </Anchor>
      <Title order={1}>{initial?.name ?? t('templates.editor.titleNew')}</Title>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <form onSubmit={submit}>
            <Stack gap="sm">
              {save.error && !(save.error instanceof ApiError && save.error.field) ? (
                <FormAlert>{describeError(t, save.error)}</FormAlert>
              ) : null}
              {!templateKey ? (
                <TextInput
                  label={t('templates.editor.key')}
                  description={t('templates.editor.keyHint')}
                  value={newKey}
                  onChange={(e) => setNewKey(e.currentTarget.value)}
                  required
                  error={fieldError('key')}
                  data-autofocus
                />
              ) : null}
              <TextInput
                label={t('templates.editor.name')}
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
              />
              <Tabs value={language} onChange={(v) => setLanguage(v ?? 'en')} keepMounted={false}>
                <Tabs.List aria-label={t('templates.editor.language')}>
                  {LANGUAGES.map((l) => (
                    <Tabs.Tab key={l} value={l}>
                      {t(`templates.editor.languages.${l}`)}
                    </Tabs.Tab>
                  ))}
                </Tabs.List>
              </Tabs>
              <TextInput
                label={t('templates.editor.subject')}
                value={current.subject}
                onChange={(e) => set('subject', e.currentTarget.value)}
                required={language === 'en'}
                error={fieldError(`variants.${language}.subject`)}
              />
              <Textarea
                label={t('templates.editor.html')}
                description={t('templates.editor.htmlHint', { example: '{{ customer.first_name }}' })}
                value={current.html}
                onChange={(e) => set('html', e.currentTarget.value)}
                autosize
                minRows={8}
                maxRows={24}
                styles={{ input: { fontFamily: 'monospace' } }}
                required={language === 'en'}
                error={fieldError(`variants.${language}.html`) ?? fieldError(`variants.${language}`)}
              />
              <Textarea
                label={t('templates.editor.text')}
                value={current.text ?? ''}
                onChange={(e) => set('text', e.currentTarget.value)}
                autosize
                minRows={3}
                maxRows={12}
              />
              {save.isSuccess ? (
                <Text role="status" c="green" size="sm">
                  {t('templates.editor.saved', { version: save.data.version })}
                </Text>
              ) : null}
              {canWrite ? (
                <Group>
                  <Button type="submit" loading={save.isPending} disabled={!filledVariants(variants)}>
                    {t('templates.editor.save')}
                  </Button>
                </Group>
              ) : null}
            </Stack>
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="sm">
            <Group justify="space-between">
              <Title order={2} size="h4">
                {t('templates.editor.preview')}
              </Title>
              <SegmentedControl
                size="xs"
                aria-label={t('templates.editor.purpose')}
                value={purpose}
                onChange={(v) => setPurpose(v as 'marketing' | 'transactional')}
                data={[
                  { value: 'marketing', label: t('templates.editor.purposes.marketing') },
                  { value: 'transactional', label: t('templates.editor.purposes.transactional') },
                ]}
              />
            </Group>
            {preview.isError ? (
              <Alert color="red" role="alert">
                {describeError(t, preview.error)}
              </Alert>
            ) : null}
            {!filled || !shown ? (
              <Paper withBorder p="lg" radius="md">
                <Text c="dimmed">{t('templates.editor.previewEmpty')}</Text>
              </Paper>
            ) : (
              <Paper withBorder radius="md" p={0} style={{ overflow: 'hidden' }}>
                <Stack gap={0}>
                  <Text px="md" py="xs" fw={600} data-testid="preview-subject">
                    {shown.subject}
                  </Text>
                  <Text px="md" pb="xs" size="xs" c="dimmed">
                    {t('templates.editor.previewFor')}
                  </Text>
                  <iframe
                    title={t('templates.editor.preview')}
                    srcDoc={shown.html}
                    sandbox=""
                    style={{ border: 0, width: '100%', height: 480, background: 'white' }}
                  />
                </Stack>
              </Paper>
            )}
            {canWrite && filled ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  sendTest.mutate({ to: testTo, variants: filled, locale: language });
                }}
              >
                <Group align="flex-end">
                  <TextInput
                    label={t('templates.editor.testTo')}
                    type="email"
                    value={testTo}
                    onChange={(e) => setTestTo(e.currentTarget.value)}
                    required
                    style={{ flex: 1 }}
                  />
                  <Button type="submit" variant="light" loading={sendTest.isPending}>
                    {t('templates.editor.sendTest')}
                  </Button>
                </Group>
                {sendTest.isSuccess ? (
                  <Text role="status" c="green" size="sm" mt={4}>
                    {t('templates.editor.testSent', { to: sendTest.data.to })}
                  </Text>
                ) : null}
                {sendTest.isError ? (
                  <Text role="alert" c="red" size="sm" mt={4}>
                    {describeError(t, sendTest.error)}
                  </Text>
                ) : null}
              </form>
            ) : null}
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
