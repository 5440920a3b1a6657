import {
  Alert,
  Anchor,
  Button,
  FileInput,
  Group,
  List,
  Loader,
  Paper,
  Radio,
  Select,
  Stack,
  Stepper,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconAlertCircle, IconArrowLeft, IconCircleCheck, IconFileTypeCsv } from '@tabler/icons-react';
import Papa from 'papaparse';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Link as RouterLink, useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { useCanWrite } from '../shell/use-can';
import { describeError } from '../ui/errors';
import { usePageTitle } from '../ui/use-page-title';
import {
  IMPORT_KINDS,
  type ImportKind,
  type ImportPreset,
  type UploadInput,
  useImportCheck,
  useStartImport,
} from './api';
import {
  FIELDS,
  guessMapping,
  isOnlineRetail,
  mappingProblems,
  mappingToSend,
  ONLINE_RETAIL_COLUMNS,
  SKIP,
  traitFor,
} from './mapping';

/** Rows shown in the preview. */
const PREVIEW_ROWS = 8;
/** How much of the file the server checks before starting (its first rows are what matter). */
const CHECK_BYTES = 256 * 1024;

interface Parsed {
  header: string[];
  rows: string[][];
}

/** Header and first rows of a CSV file, read in the browser. */
function readPreview(file: File): Promise<Parsed> {
  return new Promise((resolve, reject) => {
    Papa.parse<string[]>(file, {
      preview: PREVIEW_ROWS + 1,
      skipEmptyLines: true,
      complete: (result) => {
        const [header, ...rows] = result.data;
        if (!header?.some((h) => h.trim())) reject(new Error('no-header'));
        else resolve({ header: header.map((h) => h.trim()), rows });
      },
      error: (error) => reject(error),
    });
  });
}

/** The beginning of a file, cut after its last complete line, for the server's check. */
async function headOf(file: File): Promise<Blob> {
  if (file.size <= CHECK_BYTES) return file;
  const text = await file.slice(0, CHECK_BYTES).text();
  return new Blob([text.slice(0, text.lastIndexOf('\n') + 1)], { type: 'text/csv' });
}

const fileIdentity = (f: File) => `${f.name}:${f.size}:${f.lastModified}`;

/** Upload a CSV: choose it and its kind, match its columns with a preview and the server's check, start. */
export function NewImportPage() {
  const { t } = useTranslation();
  usePageTitle(t('imports.newTitle'));
  const navigate = useNavigate();
  const canWrite = useCanWrite('imports');
  const [step, setStep] = useState(0);
  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState<Blob | null>(null);
  const [parsed, setParsed] = useState<Parsed | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [kind, setKind] = useState<ImportKind>('customers');
  const [preset, setPreset] = useState<ImportPreset | null>(null);
  const [sourceName, setSourceName] = useState('');
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [startError, setStartError] = useState<ApiError | Error | null>(null);
  const start = useStartImport();

  const chooseFile = async (next: File | null) => {
    setFile(next);
    setParsed(null);
    setHead(null);
    setFileError(null);
    setStartError(null);
    if (!next) return;
    try {
      const result = await readPreview(next);
      setParsed(result);
      setHead(await headOf(next));
      if (isOnlineRetail(result.header)) {
        setKind('orders');
        setPreset('online-retail');
      } else {
        setPreset(null);
      }
    } catch (error) {
      setFileError(
        error instanceof Error && error.message === 'no-header'
          ? t('imports.file.noHeader')
          : t('imports.file.readError', { message: error instanceof Error ? error.message : String(error) }),
      );
    }
  };

  const goToMapping = () => {
    if (!parsed) return;
    setMapping(guessMapping(kind, parsed.header));
    setStep(1);
  };

  const problems = useMemo(() => (preset ? [] : mappingProblems(kind, mapping)), [kind, mapping, preset]);
  const upload: UploadInput | null =
    file && head && step === 1 && problems.length === 0
      ? { file: head, fileName: file.name, kind, mapping: preset ? null : mappingToSend(mapping), preset }
      : null;
  const identity = JSON.stringify([file ? fileIdentity(file) : null, kind, preset, mappingToSend(mapping)]);
  const [debouncedIdentity] = useDebouncedValue(identity, 300);
  const check = useImportCheck(upload && debouncedIdentity === identity ? upload : null, debouncedIdentity);

  if (!canWrite) return <Navigate to="/imports" replace />;

  const checkError = check.error instanceof ApiError ? check.error : null;
  const fieldError = (column: string): string | undefined => {
    for (const e of [startError, checkError]) {
      if (e instanceof ApiError && e.field === `mapping.${column}`) return e.message;
    }
    const dup = problems.find((p) => p.type === 'duplicate' && p.columns.includes(column));
    return dup && dup.type === 'duplicate'
      ? t('imports.mapping.duplicate', {
          field: t(`imports.fields.${dup.field}` as 'imports.fields.email', { defaultValue: dup.field }),
        })
      : undefined;
  };
  const fieldLabel = (f: string) => t(`imports.fields.${f}` as 'imports.fields.email');
  const generalErrors = [startError, checkError].filter(
    (e): e is ApiError | Error => !!e && !(e instanceof ApiError && e.field?.startsWith('mapping.')),
  );

  const submit = async () => {
    if (!file || problems.length) return;
    setStartError(null);
    try {
      const view = await start.mutateAsync({
        file,
        fileName: file.name,
        kind,
        mapping: preset ? null : mappingToSend(mapping),
        preset,
        // Left empty: the name the placeholder shows, in the person's language.
        sourceName: sourceName.trim() || t('imports.file.sourceNamePlaceholder'),
      });
      navigate(`/imports/${view.id}`);
    } catch (error) {
      setStartError(error as Error);
    }
  };

  const fieldOptions = (column: string) => [
    { value: SKIP, label: t('imports.mapping.skip') },
    {
      group: t('imports.mapping.standard'),
      items: FIELDS[kind].map((f) => ({ value: f, label: fieldLabel(f) })),
    },
    ...(kind !== 'products'
      ? [
          {
            group: t('imports.mapping.custom'),
            items: [
              { value: traitFor(column), label: t('imports.mapping.trait', { name: traitFor(column).slice(7) }) },
            ],
          },
        ]
      : []),
  ];

  return (
    <Stack gap="lg" maw={1100}>
      <Stack gap={6}>
        <Anchor component={RouterLink} to="/imports" size="sm" w="fit-content">
          <Group gap={4} wrap="nowrap">
            <IconArrowLeft size={14} aria-hidden />
            {t('imports.back')}
          </Group>
        </Anchor>
        <Title order={1} size="h2">
          {t('imports.newTitle')}
        </Title>
      </Stack>

      <Stepper active={step} onStepClick={(s) => s < step && setStep(s)} aria-label={t('imports.steps.label')}>
        <Stepper.Step label={t('imports.steps.file')} description={t('imports.steps.fileDescription')}>
          <Paper withBorder radius="md" p="lg" mt="md">
            <Stack gap="md" maw={640}>
              <FileInput
                label={t('imports.file.label')}
                description={t('imports.file.description')}
                placeholder={t('imports.file.placeholder')}
                accept=".csv,text/csv"
                value={file}
                onChange={(f) => void chooseFile(f)}
                error={fileError}
                leftSection={<IconFileTypeCsv size={18} aria-hidden />}
                clearable
                required
              />
              {parsed ? (
                <Text size="sm" c="dimmed">
                  {parsed.header.join(' · ')}
                </Text>
              ) : null}
              <Radio.Group
                label={t('imports.file.kind')}
                value={kind}
                onChange={(v) => {
                  setKind(v as ImportKind);
                  if (v !== 'orders') setPreset(null);
                }}
                required
              >
                <Stack gap="xs" mt="xs">
                  {IMPORT_KINDS.map((k) => (
                    <Radio
                      key={k}
                      value={k}
                      label={t(`imports.kinds.${k}`)}
                      description={t(`imports.kindDescriptions.${k}`)}
                    />
                  ))}
                </Stack>
              </Radio.Group>
              {kind === 'orders' ? (
                <Select
                  label={t('imports.file.preset')}
                  value={preset ?? 'none'}
                  onChange={(v) => setPreset(v === 'online-retail' ? 'online-retail' : null)}
                  allowDeselect={false}
                  data={[
                    { value: 'none', label: t('imports.file.presetNone') },
                    { value: 'online-retail', label: t('imports.file.presetOnlineRetail') },
                  ]}
                  description={
                    preset && parsed && isOnlineRetail(parsed.header) ? t('imports.file.presetDetected') : undefined
                  }
                />
              ) : null}
              <TextInput
                label={t('imports.file.sourceName')}
                description={t('imports.file.sourceNameDescription')}
                placeholder={t('imports.file.sourceNamePlaceholder')}
                value={sourceName}
                onChange={(e) => setSourceName(e.currentTarget.value)}
                maxLength={200}
              />
              <Group>
                <Button onClick={goToMapping} disabled={!parsed}>
                  {t('imports.file.next')}
                </Button>
              </Group>
            </Stack>
          </Paper>
        </Stepper.Step>

        <Stepper.Step
          label={t('imports.steps.mapping')}
          description={t('imports.steps.mappingDescription')}
          allowStepSelect={false}
        >
          {parsed && file ? (
            <Stack gap="lg" mt="md">
              <Paper withBorder radius="md" p="lg">
                <Stack gap="sm">
                  <Title order={2} size="h4">
                    {t('imports.mapping.title')}
                  </Title>
                  <Text size="sm" c="dimmed">
                    {preset ? t('imports.mapping.presetFixed') : t('imports.mapping.description')}
                  </Text>
                  {preset ? null : (
                    <Table.ScrollContainer minWidth={560}>
                      <Table verticalSpacing="xs">
                        <Table.Thead>
                          <Table.Tr>
                            <Table.Th>{t('imports.mapping.column')}</Table.Th>
                            <Table.Th>{t('imports.mapping.examples')}</Table.Th>
                            <Table.Th w={300}>{t('imports.mapping.field')}</Table.Th>
                          </Table.Tr>
                        </Table.Thead>
                        <Table.Tbody>
                          {parsed.header.map((column, i) => (
                            <Table.Tr key={column}>
                              <Table.Td>
                                <Text size="sm" fw={500}>
                                  {column}
                                </Text>
                              </Table.Td>
                              <Table.Td>
                                <Text size="xs" c="dimmed" lineClamp={2}>
                                  {parsed.rows
                                    .slice(0, 3)
                                    .map((r) => r[i] ?? '')
                                    .filter(Boolean)
                                    .join(' · ')}
                                </Text>
                              </Table.Td>
                              <Table.Td>
                                <Select
                                  aria-label={t('imports.mapping.fieldFor', { column })}
                                  value={mapping[column] ?? SKIP}
                                  onChange={(v) => {
                                    setStartError(null);
                                    setMapping((m) => ({ ...m, [column]: v == null ? SKIP : String(v) }));
                                  }}
                                  allowDeselect={false}
                                  data={fieldOptions(column)}
                                  error={fieldError(column)}
                                  size="sm"
                                />
                              </Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    </Table.ScrollContainer>
                  )}
                  {problems
                    .filter((p) => p.type !== 'duplicate')
                    .map((p) => (
                      <Alert key={p.type} color="orange" icon={<IconAlertCircle />} role="alert">
                        {p.type === 'required'
                          ? t('imports.mapping.required', { fields: p.fields.map(fieldLabel).join(', ') })
                          : p.type === 'requiredAny'
                            ? t('imports.mapping.requiredAny', { fields: p.fields.map(fieldLabel).join(', ') })
                            : null}
                      </Alert>
                    ))}
                </Stack>
              </Paper>

              <Paper withBorder radius="md" p="lg">
                <Stack gap="sm">
                  <Title order={2} size="h4">
                    {t('imports.mapping.previewTitle')}
                  </Title>
                  <Table.ScrollContainer minWidth={560}>
                    <Table striped withTableBorder fz="xs">
                      <caption style={{ captionSide: 'top', textAlign: 'start', paddingBottom: 4 }}>
                        <Text size="xs" c="dimmed" span>
                          {t('imports.mapping.previewCaption', { count: parsed.rows.length, file: file.name })}
                        </Text>
                      </caption>
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>{t('imports.mapping.line')}</Table.Th>
                          {parsed.header.map((column) => {
                            const field = preset
                              ? ONLINE_RETAIL_COLUMNS.includes(column)
                                ? column
                                : SKIP
                              : mapping[column];
                            return (
                              <Table.Th key={column}>
                                {column}
                                {field && !preset ? (
                                  <Text size="xs" c="blue" fw={400}>
                                    → {field.startsWith('traits.') ? field.slice(7) : fieldLabel(field)}
                                  </Text>
                                ) : null}
                              </Table.Th>
                            );
                          })}
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {parsed.rows.map((row, r) => {
                          const line = r + 2;
                          const bad = check.data?.rejections.some((x) => x.line === line);
                          return (
                            // biome-ignore lint/suspicious/noArrayIndexKey: preview rows have no identity but their position
                            <Table.Tr key={r} bg={bad ? 'var(--mantine-color-red-light)' : undefined}>
                              <Table.Td>{line}</Table.Td>
                              {parsed.header.map((column, i) => (
                                <Table.Td key={column}>{row[i] ?? ''}</Table.Td>
                              ))}
                            </Table.Tr>
                          );
                        })}
                      </Table.Tbody>
                    </Table>
                  </Table.ScrollContainer>
                </Stack>
              </Paper>

              <Paper withBorder radius="md" p="lg" aria-live="polite" data-testid="import-check">
                <Stack gap="sm">
                  <Title order={2} size="h4">
                    {t('imports.mapping.checkTitle')}
                  </Title>
                  {problems.length ? null : check.isFetching ? (
                    <Group gap="xs">
                      <Loader size="xs" />
                      <Text size="sm">{t('imports.mapping.checking')}</Text>
                    </Group>
                  ) : check.data && !check.isError ? (
                    check.data.rejections.length === 0 ? (
                      <Group gap="xs">
                        <IconCircleCheck size={18} color="var(--mantine-color-teal-filled)" aria-hidden />
                        <Text size="sm">{t('imports.mapping.checkOk', { count: check.data.rowsChecked })}</Text>
                      </Group>
                    ) : (
                      <Stack gap={4}>
                        <Text size="sm" fw={500}>
                          {t('imports.mapping.checkProblems', {
                            count: check.data.rejections.length,
                            rows: check.data.rowsChecked,
                          })}
                        </Text>
                        <List size="sm" spacing={2}>
                          {check.data.rejections.slice(0, 20).map((r) => (
                            <List.Item key={`${r.line}-${r.field ?? ''}`}>
                              <Text span fw={500} size="sm">
                                {t('imports.mapping.lineProblem', { line: r.line })}
                              </Text>
                              {r.field ? ` (${fieldLabel(r.field)})` : ''}: {r.reason}
                            </List.Item>
                          ))}
                        </List>
                      </Stack>
                    )
                  ) : null}
                  {generalErrors.map((e) => (
                    <Alert key={e.message} color="red" icon={<IconAlertCircle />} title={t('errors.title')}>
                      {e instanceof ApiError && e.status === 400 ? e.message : describeError(t, e)}
                    </Alert>
                  ))}
                </Stack>
              </Paper>

              <Group justify="space-between">
                <Button variant="default" onClick={() => setStep(0)}>
                  {t('imports.mapping.back')}
                </Button>
                <Button
                  onClick={() => void submit()}
                  loading={start.isPending}
                  disabled={problems.length > 0 || !!checkError}
                >
                  {t('imports.mapping.start')}
                </Button>
              </Group>
            </Stack>
          ) : null}
        </Stepper.Step>
      </Stepper>
    </Stack>
  );
}
