import {
  ActionIcon,
  Badge,
  Button,
  Group,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { IconCheck, IconPencil, IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../ui/errors';
import { type Customer, type CustomerUpdate, useMembers, useUpdateCustomer } from './api';
import { Panel } from './panel';

/** Owner, tags and notes: what the team keeps about a customer. */
export function ProfilePanel({ customer: c, canWrite }: { customer: Customer; canWrite: boolean }) {
  const { t } = useTranslation();
  const update = useUpdateCustomer(c.id);
  const members = useMembers();
  const [lastField, setLastField] = useState<'owner' | 'tags' | 'notes' | null>(null);
  const [notes, setNotes] = useState(c.notes ?? '');
  const [savedNotes, setSavedNotes] = useState(false);

  // Another save (or a merge) changed the notes: show the server's.
  useEffect(() => setNotes(c.notes ?? ''), [c.notes]);

  const save = (field: 'owner' | 'tags' | 'notes', body: CustomerUpdate, onSuccess?: () => void) => {
    setLastField(field);
    setSavedNotes(false);
    update.mutate(body, { onSuccess });
  };
  // Each control saves on its own, so the error of the last save belongs next to that control.
  const errorOf = (field: 'owner' | 'tags' | 'notes') =>
    update.isError && lastField === field ? describeError(t, update.error) : undefined;

  const memberOptions = (members.data ?? []).map((m) => ({
    value: m.id,
    label: m.name ? `${m.name} (${m.email})` : m.email,
  }));
  // The owner may have left the workspace: still show who it was.
  if (c.owner && !memberOptions.some((o) => o.value === c.owner?.userId)) {
    memberOptions.push({ value: c.owner.userId, label: c.owner.name ?? c.owner.email ?? c.owner.userId });
  }
  const notesDirty = notes !== (c.notes ?? '');

  return (
    <Panel title={t('customers.profile.title')}>
      <Stack gap="md">
        {canWrite ? (
          <Select
            label={t('customers.profile.owner')}
            description={t('customers.profile.ownerHint')}
            placeholder={t('customers.profile.ownerPlaceholder')}
            data={memberOptions}
            value={c.owner?.userId ?? null}
            onChange={(v) => save('owner', { ownerUserId: v })}
            clearable
            searchable
            disabled={update.isPending && lastField === 'owner'}
            error={errorOf('owner')}
          />
        ) : (
          <div>
            <Text size="sm" fw={500}>
              {t('customers.profile.owner')}
            </Text>
            <Text size="sm" c={c.owner ? undefined : 'dimmed'}>
              {c.owner ? (c.owner.name ?? c.owner.email) : t('customers.profile.ownerPlaceholder')}
            </Text>
          </div>
        )}

        {canWrite ? (
          <TagsInput
            label={t('customers.profile.tags')}
            placeholder={t('customers.profile.tagsPlaceholder')}
            value={c.tags}
            onChange={(tags) => save('tags', { tags })}
            maxTags={100}
            clearable
            error={errorOf('tags')}
          />
        ) : (
          <div>
            <Text size="sm" fw={500}>
              {t('customers.profile.tags')}
            </Text>
            {c.tags.length ? (
              <Group gap={6} mt={4}>
                {c.tags.map((tag) => (
                  <Badge key={tag} variant="light" tt="none">
                    {tag}
                  </Badge>
                ))}
              </Group>
            ) : (
              <Text size="sm" c="dimmed">
                {t('customers.profile.noTags')}
              </Text>
            )}
          </div>
        )}

        {canWrite ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              save('notes', { notes: notes.trim() ? notes : null }, () => setSavedNotes(true));
            }}
          >
            <Stack gap="xs">
              <Textarea
                label={t('customers.profile.notes')}
                placeholder={t('customers.profile.notesPlaceholder')}
                value={notes}
                onChange={(e) => {
                  setNotes(e.currentTarget.value);
                  setSavedNotes(false);
                }}
                autosize
                minRows={3}
                maxRows={12}
                maxLength={20_000}
                error={errorOf('notes')}
              />
              <Group justify="flex-end" gap="xs">
                {savedNotes && !notesDirty ? (
                  <Text size="sm" c="green" role="status">
                    {t('customers.profile.saved')}
                  </Text>
                ) : null}
                <Button
                  type="submit"
                  size="xs"
                  variant="light"
                  disabled={!notesDirty}
                  loading={update.isPending && lastField === 'notes'}
                >
                  {t('customers.profile.saveNotes')}
                </Button>
              </Group>
            </Stack>
          </form>
        ) : (
          <div>
            <Text size="sm" fw={500}>
              {t('customers.profile.notes')}
            </Text>
            <Text size="sm" c={c.notes ? undefined : 'dimmed'} style={{ whiteSpace: 'pre-wrap' }}>
              {c.notes ?? t('customers.profile.noNotes')}
            </Text>
          </div>
        )}
      </Stack>
    </Panel>
  );
}

const isPrimitive = (v: unknown): v is string | number | boolean | null =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v);
const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** A typed value back from a text field: a number or boolean trait stays one. */
function parseLike(previous: unknown, text: string): unknown {
  if (typeof previous === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (typeof previous === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Every trait of the profile, each editable and removable, and a form to add one. */
export function TraitsPanel({ customer: c, canWrite }: { customer: Customer; canWrite: boolean }) {
  const { t } = useTranslation();
  const update = useUpdateCustomer(c.id);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const [error, setError] = useState<{ at: string; message: string } | null>(null);
  const entries = Object.entries(c.traits).sort(([a], [b]) => a.localeCompare(b));

  const send = (at: string, traits: Record<string, unknown>, done: () => void) => {
    setError(null);
    update.mutate({ traits }, { onSuccess: done, onError: (e) => setError({ at, message: describeError(t, e) }) });
  };

  const saveEdit = (key: string) => send(key, { [key]: parseLike(c.traits[key], draft) }, () => setEditing(null));

  const add = (event: FormEvent) => {
    event.preventDefault();
    const key = newKey.trim();
    if (!key) {
      setError({ at: '+key', message: t('validation.required') });
      return;
    }
    if (key in c.traits) {
      setError({ at: '+key', message: t('customers.traits.keyTaken') });
      return;
    }
    send('+value', { [key]: newValue }, () => {
      setNewKey('');
      setNewValue('');
    });
  };

  return (
    <Panel title={t('customers.traits.title')}>
      <Stack gap="sm">
        {entries.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('customers.traits.none')}
          </Text>
        ) : (
          <Table verticalSpacing={4} layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w="38%">{t('customers.traits.key')}</Table.Th>
                <Table.Th>{t('customers.traits.value')}</Table.Th>
                {canWrite ? <Table.Th w={72} aria-hidden /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map(([key, value]) => (
                <Table.Tr key={key}>
                  <Table.Td>
                    <Text size="sm" fw={500} style={{ wordBreak: 'break-word' }}>
                      {key}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {editing === key ? (
                      <form
                        onSubmit={(e) => {
                          e.preventDefault();
                          saveEdit(key);
                        }}
                      >
                        <TextInput
                          size="xs"
                          aria-label={t('customers.traits.editValue', { key })}
                          value={draft}
                          onChange={(e) => setDraft(e.currentTarget.value)}
                          onKeyDown={(e) => {
                            if (e.key === 'Escape') setEditing(null);
                          }}
                          error={error?.at === key ? error.message : undefined}
                          autoFocus
                          rightSectionWidth={56}
                          rightSection={
                            <Group gap={2} wrap="nowrap">
                              <ActionIcon
                                type="submit"
                                size="sm"
                                variant="subtle"
                                aria-label={t('customers.traits.save')}
                                loading={update.isPending}
                              >
                                <IconCheck size={14} aria-hidden />
                              </ActionIcon>
                              <ActionIcon
                                size="sm"
                                variant="subtle"
                                color="gray"
                                aria-label={t('customers.traits.cancel')}
                                onClick={() => setEditing(null)}
                              >
                                <IconX size={14} aria-hidden />
                              </ActionIcon>
                            </Group>
                          }
                        />
                      </form>
                    ) : (
                      <Text size="sm" style={{ wordBreak: 'break-word' }}>
                        {show(value)}
                      </Text>
                    )}
                    {error?.at === key && editing !== key ? (
                      <Text size="xs" c="red">
                        {error.message}
                      </Text>
                    ) : null}
                  </Table.Td>
                  {canWrite ? (
                    <Table.Td>
                      {editing === key ? null : (
                        <Group gap={2} wrap="nowrap" justify="flex-end">
                          <Tooltip
                            label={
                              isPrimitive(value) ? t('customers.traits.edit', { key }) : t('customers.traits.complex')
                            }
                          >
                            <ActionIcon
                              variant="subtle"
                              size="sm"
                              aria-label={t('customers.traits.edit', { key })}
                              disabled={!isPrimitive(value)}
                              onClick={() => {
                                setEditing(key);
                                setDraft(value === null ? '' : String(value));
                                setError(null);
                              }}
                            >
                              <IconPencil size={14} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                          <Tooltip label={t('customers.traits.remove', { key })}>
                            <ActionIcon
                              variant="subtle"
                              color="red"
                              size="sm"
                              aria-label={t('customers.traits.remove', { key })}
                              onClick={() => send(key, { [key]: null }, () => undefined)}
                            >
                              <IconTrash size={14} aria-hidden />
                            </ActionIcon>
                          </Tooltip>
                        </Group>
                      )}
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {canWrite ? (
          <form onSubmit={add} noValidate>
            <Group gap="xs" align="flex-start" wrap="nowrap">
              <TextInput
                size="xs"
                aria-label={t('customers.traits.newKey')}
                placeholder={t('customers.traits.key')}
                value={newKey}
                onChange={(e) => setNewKey(e.currentTarget.value)}
                maxLength={100}
                error={error?.at === '+key' ? error.message : undefined}
                style={{ flex: 1 }}
              />
              <TextInput
                size="xs"
                aria-label={t('customers.traits.newValue')}
                placeholder={t('customers.traits.value')}
                value={newValue}
                onChange={(e) => setNewValue(e.currentTarget.value)}
                error={error?.at === '+value' ? error.message : undefined}
                style={{ flex: 1 }}
              />
              <Button
                type="submit"
                size="xs"
                variant="light"
                leftSection={<IconPlus size={14} aria-hidden />}
                loading={update.isPending && !editing}
              >
                {t('customers.traits.add')}
              </Button>
            </Group>
          </form>
        ) : null}
      </Stack>
    </Panel>
  );
}
