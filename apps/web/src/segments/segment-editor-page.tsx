import {
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Loader,
  Paper,
  Radio,
  Skeleton,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconAlertCircle, IconArrowLeft, IconDeviceFloppy, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useCan } from '../api/permissions';
import { describeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { usePageTitle } from '../ui/use-page-title';
import {
  type Segment,
  type SegmentKind,
  useCreateSegment,
  useDeleteSegment,
  usePreview,
  useRefreshSegment,
  useSegment,
  useSegments,
  useUpdateSegment,
} from './api';
import { MembersPanel } from './members-panel';
import { PreviewPanel } from './preview-panel';
import { RuleBuilder } from './rule-builder';
import {
  asRootGroup,
  cleanRule,
  errorPath,
  type Group as GroupRule,
  groupChildren,
  incompleteFields,
  MAX_RULE_NODES,
  parseRuleParam,
  ruleSize,
} from './rules';
import { useSentenceContext } from './use-sentence';

/** `/segments/new` (optionally `?rule=<JSON>&name=…`) and `/segments/:id`. */
export function SegmentEditorPage() {
  const { id } = useParams();
  const segment = useSegment(id);
  const { t } = useTranslation();
  if (!id) return <SegmentEditor key="new" segment={null} />;
  if (segment.isPending) {
    return (
      <Stack gap="md" aria-busy="true">
        <Title order={1} size="h2">
          <Skeleton h={28} w={240} />
        </Title>
        <Skeleton h={36} />
        <Skeleton h={220} />
      </Stack>
    );
  }
  if (segment.isError) {
    const missing = segment.error instanceof ApiError && segment.error.status === 404;
    return (
      <Stack gap="md">
        <Title order={1} size="h2">
          {missing ? t('segments.editor.notFound') : t('segments.editor.loadError')}
        </Title>
        <Alert color="red" icon={<IconAlertCircle aria-hidden />}>
          {missing ? t('segments.editor.notFoundHint') : describeError(t, segment.error)}
        </Alert>
        <Anchor component={RouterLink} to="/segments">
          {t('segments.editor.back')}
        </Anchor>
      </Stack>
    );
  }
  return <SegmentEditor key={segment.data.id} segment={segment.data} />;
}

function SegmentEditor({ segment }: { segment: Segment | null }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const canWrite = useCan('segments', 'write');
  const f = useFormat();
  const segments = useSegments();
  const sentence = useSentenceContext(segments.data);
  usePageTitle(segment ? segment.name : t('segments.editor.newTitle'));

  const fromLink = segment ? null : parseRuleParam(params.get('rule'));
  const [name, setName] = useState(segment?.name ?? params.get('name') ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [kind, setKind] = useState<SegmentKind>(segment?.kind ?? 'dynamic');
  const [rule, setRule] = useState<GroupRule>(() => asRootGroup(segment?.rule ?? fromLink));
  const [nameError, setNameError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [showIncomplete, setShowIncomplete] = useState(false);
  const [saveRuleError, setSaveRuleError] = useState<{ path: string; message: string } | null>(null);

  const create = useCreateSegment();
  const update = useUpdateSegment(segment?.id ?? '');
  const remove = useDeleteSegment();
  const refresh = useRefreshSegment(segment?.id ?? '');

  const usesRule = kind === 'dynamic';
  const incomplete = useMemo(() => incompleteFields(rule), [rule]);
  const size = ruleSize(rule);
  const tooBig = size.nodes > MAX_RULE_NODES;
  const ready = usesRule && incomplete.length === 0 && !tooBig;
  const cleaned = useMemo(() => (ready ? cleanRule(rule) : null), [ready, rule]);
  // The live count follows the rule a moment after the last change (typing does not send a request per key).
  const cleanedJson = cleaned ? JSON.stringify(cleaned) : null;
  const [debouncedJson] = useDebouncedValue(cleanedJson, 400);
  const previewRule = useMemo(() => (debouncedJson ? JSON.parse(debouncedJson) : null), [debouncedJson]);
  const preview = usePreview(previewRule);
  const settling = cleanedJson !== debouncedJson;

  // Errors for builder fields: the server's (preview or save, by path) and, after a save attempt, the blanks.
  const errors = useMemo(() => {
    const map = new Map<string, string>();
    if (showIncomplete) {
      for (const i of incomplete) map.set(i.path.join('.'), t(`segments.incomplete.${i.reason}`));
    }
    const fromServer = (error: unknown) => {
      if (!(error instanceof ApiError) || !error.field) return;
      const at = errorPath(error.field);
      if (!at) return;
      const fieldKey = [...at.node, ...(at.field ? [at.field] : [])].join('.');
      map.set(fieldKey, error.message.replace(/^[\w.]+: /, ''));
    };
    if (preview.isError && !settling) fromServer(preview.error);
    if (saveRuleError) map.set(saveRuleError.path, saveRuleError.message);
    return map;
  }, [showIncomplete, incomplete, preview.isError, preview.error, settling, saveRuleError, t]);

  // A new edit clears the error the last save left on the rule.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the rule changes
  useEffect(() => setSaveRuleError(null), [rule]);

  const otherSegments = (segments.data ?? []).filter((s) => s.id !== segment?.id);
  const saving = create.isPending || update.isPending;
  const dirty =
    !segment ||
    name !== segment.name ||
    (description ?? '') !== (segment.description ?? '') ||
    (usesRule &&
      JSON.stringify(cleanRule(rule)) !== JSON.stringify(segment.rule ? cleanRule(asRootGroup(segment.rule)) : null));

  const onSave = async () => {
    setFormError(null);
    setNameError(null);
    if (!name.trim()) {
      setNameError(t('segments.editor.nameRequired'));
      return;
    }
    if (usesRule && (incomplete.length > 0 || tooBig)) {
      setShowIncomplete(true);
      setFormError(tooBig ? t('segments.editor.tooBig', { count: MAX_RULE_NODES }) : t('segments.editor.finishRule'));
      return;
    }
    // A new segment leaves an empty description out; an edit clears it with null.
    const body = {
      name: name.trim(),
      ...(description.trim() ? { description: description.trim() } : segment ? { description: null } : {}),
      ...(usesRule ? { rule: cleanRule(rule) } : {}),
    };
    try {
      if (segment) {
        await update.mutateAsync(body);
        notifications.show({ color: 'teal', message: t('segments.editor.saved') });
      } else {
        const created = await create.mutateAsync({ ...body, kind });
        notifications.show({ color: 'teal', message: t('segments.editor.created', { name: created.name }) });
        navigate(`/segments/${created.id}`, { replace: true });
      }
    } catch (error) {
      if (error instanceof ApiError && error.field === 'name') setNameError(describeError(t, error));
      else if (error instanceof ApiError && errorPath(error.field)) {
        const at = errorPath(error.field);
        if (at)
          setSaveRuleError({
            path: [...at.node, ...(at.field ? [at.field] : [])].join('.'),
            message: error.message.replace(/^[\w.]+: /, ''),
          });
        setFormError(t('segments.editor.ruleRefused'));
      } else setFormError(describeError(t, error));
    }
  };

  const onDelete = async () => {
    if (!segment) return;
    if (!window.confirm(t('segments.editor.deleteConfirm', { name: segment.name }))) return;
    try {
      await remove.mutateAsync(segment.id);
      notifications.show({ message: t('segments.editor.deleted', { name: segment.name }) });
      navigate('/segments');
    } catch (error) {
      setFormError(describeError(t, error));
    }
  };

  const onRefresh = async () => {
    try {
      const r = await refresh.mutateAsync(undefined);
      notifications.show({
        color: 'teal',
        message: t('segments.editor.refreshed', {
          entered: f.number(r.entered),
          exited: f.number(r.exited),
          members: f.number(r.memberCount),
        }),
      });
    } catch (error) {
      setFormError(describeError(t, error));
    }
  };

  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Anchor component={RouterLink} to="/segments" size="sm" w="fit-content">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} aria-hidden />
            {t('segments.editor.back')}
          </Group>
        </Anchor>
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <Group gap="sm" align="center">
            <Title order={1} size="h2">
              {segment ? segment.name : t('segments.editor.newTitle')}
            </Title>
            {segment ? (
              <Badge variant="light" color={segment.kind === 'dynamic' ? 'blue' : 'gray'}>
                {t(`segments.kinds.${segment.kind}`)}
              </Badge>
            ) : null}
          </Group>
          {segment ? (
            <Group gap="xs">
              {canWrite && segment.kind === 'dynamic' ? (
                <Button
                  variant="default"
                  leftSection={<IconRefresh size={16} aria-hidden />}
                  onClick={() => void onRefresh()}
                  loading={refresh.isPending}
                >
                  {t('segments.editor.refresh')}
                </Button>
              ) : null}
              {canWrite ? (
                <Button
                  variant="subtle"
                  color="red"
                  leftSection={<IconTrash size={16} aria-hidden />}
                  onClick={() => void onDelete()}
                  loading={remove.isPending}
                >
                  {t('segments.editor.delete')}
                </Button>
              ) : null}
            </Group>
          ) : null}
        </Group>
        {segment ? (
          <Text size="sm" c="dimmed">
            {segment.refreshedAt
              ? t('segments.editor.summary', {
                  count: segment.memberCount,
                  members: f.number(segment.memberCount),
                  refreshed: f.dateTime(segment.refreshedAt),
                })
              : t('segments.editor.summaryCount', {
                  count: segment.memberCount,
                  members: f.number(segment.memberCount),
                })}
          </Text>
        ) : null}
      </Stack>

      {!canWrite ? (
        <Text size="sm" c="dimmed">
          {t('segments.readOnly')}
        </Text>
      ) : null}

      <Paper
        withBorder
        radius="md"
        p="md"
        component="form"
        onSubmit={(e) => {
          e.preventDefault();
          void onSave();
        }}
        aria-label={t('segments.editor.formLabel')}
      >
        <Stack gap="md">
          <Group align="flex-start" gap="md" wrap="wrap">
            <TextInput
              label={t('segments.editor.name')}
              placeholder={t('segments.editor.namePlaceholder')}
              value={name}
              onChange={(e) => {
                setName(e.currentTarget.value);
                setNameError(null);
              }}
              error={nameError}
              required
              disabled={!canWrite}
              w={{ base: '100%', sm: 320 }}
            />
            <Textarea
              label={t('segments.editor.description')}
              placeholder={t('segments.editor.descriptionPlaceholder')}
              value={description}
              onChange={(e) => setDescription(e.currentTarget.value)}
              autosize
              minRows={1}
              maxRows={4}
              disabled={!canWrite}
              style={{ flex: 1, minWidth: 240 }}
            />
          </Group>
          {segment ? null : (
            <Radio.Group label={t('segments.editor.kind')} value={kind} onChange={(v) => setKind(v as SegmentKind)}>
              <Group gap="xl" mt={6} align="flex-start">
                <Radio
                  value="dynamic"
                  label={t('segments.kinds.dynamic')}
                  description={t('segments.kindHints.dynamic')}
                />
                <Radio value="static" label={t('segments.kinds.static')} description={t('segments.kindHints.static')} />
              </Group>
            </Radio.Group>
          )}
          {usesRule ? (
            <Grid gap="md">
              <Grid.Col span={{ base: 12, lg: 8 }}>
                <Stack gap="xs">
                  <Text fw={600} component="h2" size="md" m={0}>
                    {t('segments.editor.rule')}
                  </Text>
                  <RuleBuilder
                    rule={rule}
                    onChange={setRule}
                    errors={errors}
                    segments={otherSegments}
                    sentence={sentence}
                    readOnly={!canWrite}
                  />
                </Stack>
              </Grid.Col>
              <Grid.Col span={{ base: 12, lg: 4 }}>
                <PreviewPanel
                  preview={preview}
                  incomplete={incomplete.length}
                  empty={groupChildren(rule).length === 0}
                  tooBig={tooBig}
                  settling={settling}
                  hasFieldError={errors.size > 0}
                />
              </Grid.Col>
            </Grid>
          ) : segment ? null : (
            <Text size="sm" c="dimmed">
              {t('segments.editor.staticHint')}
            </Text>
          )}
          {formError ? (
            <Alert color="red" icon={<IconAlertCircle aria-hidden />} role="alert">
              {formError}
            </Alert>
          ) : null}
          {canWrite ? (
            <Group>
              <Button
                type="submit"
                leftSection={<IconDeviceFloppy size={16} aria-hidden />}
                loading={saving}
                disabled={!dirty}
              >
                {segment ? t('segments.editor.saveChanges') : t('segments.editor.create')}
              </Button>
              {saving ? <Loader size="xs" aria-hidden /> : null}
            </Group>
          ) : null}
        </Stack>
      </Paper>

      {segment ? <MembersPanel segment={segment} canWrite={canWrite} sentence={sentence} /> : null}
    </Stack>
  );
}
