import { Alert, Badge, Button, Group, Menu, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import {
  IconBookmark,
  IconBookmarkPlus,
  IconCheck,
  IconChevronDown,
  IconDeviceFloppy,
  IconPencil,
  IconTrash,
} from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { describeError, placeError } from '../ui/errors';
import { type SavedView, useCreateView, useDeleteView, useSavedViews, useUpdateView } from './api';
import { differsFromView, type ListState, viewInput } from './list-state';

interface Props {
  state: ListState;
  canWrite: boolean;
  onOpen: (view: SavedView | null) => void;
}

/** Saved views: open one, save the current list as a view, update, rename or delete the open one. */
export function ViewsMenu({ state, canWrite, onOpen }: Props) {
  const { t } = useTranslation();
  const views = useSavedViews();
  const update = useUpdateView();
  const remove = useDeleteView();
  const [dialog, setDialog] = useState<'save' | 'rename' | 'delete' | null>(null);

  const current = views.data?.find((v) => v.id === state.viewId) ?? null;
  const modified = current ? differsFromView(state, current) : false;

  const saveChanges = () => {
    if (!current) return;
    update.mutate(
      { id: current.id, ...viewInput(state) },
      {
        onSuccess: (v) => notifications.show({ color: 'green', message: t('customers.views.saved', { name: v.name }) }),
        onError: (error) =>
          notifications.show({ color: 'red', title: t('errors.title'), message: describeError(t, error) }),
      },
    );
  };

  const confirmDelete = () => {
    if (!current) return;
    const name = current.name;
    setDialog(null);
    onOpen(null);
    remove.mutate(current.id, {
      onSuccess: () => notifications.show({ message: t('customers.views.deleted', { name }) }),
      onError: (error) =>
        notifications.show({ color: 'red', title: t('errors.title'), message: describeError(t, error) }),
    });
  };

  return (
    <>
      <Menu position="bottom-start" withinPortal>
        <Menu.Target>
          <Button
            variant="default"
            leftSection={<IconBookmark size={16} aria-hidden />}
            rightSection={<IconChevronDown size={14} aria-hidden />}
            aria-label={`${t('customers.views.menu')}: ${current?.name ?? t('customers.views.all')}${modified ? ` (${t('customers.views.modified')})` : ''}`}
          >
            <Group gap={6} wrap="nowrap">
              <Text size="sm" truncate="end" maw={200}>
                {current?.name ?? t('customers.views.all')}
              </Text>
              {modified ? (
                <Badge size="xs" variant="light" color="orange">
                  {t('customers.views.modified')}
                </Badge>
              ) : null}
            </Group>
          </Button>
        </Menu.Target>
        <Menu.Dropdown miw={260}>
          <Menu.Label>{t('customers.views.menu')}</Menu.Label>
          <Menu.Item
            onClick={() => onOpen(null)}
            leftSection={!current ? <IconCheck size={14} aria-hidden /> : <span style={{ width: 14 }} />}
          >
            {t('customers.views.all')}
          </Menu.Item>
          {views.data?.map((v) => (
            <Menu.Item
              key={v.id}
              onClick={() => onOpen(v)}
              leftSection={v.id === current?.id ? <IconCheck size={14} aria-hidden /> : <span style={{ width: 14 }} />}
            >
              {v.name}
            </Menu.Item>
          ))}
          {views.data?.length === 0 ? (
            <Menu.Item disabled>
              <Text size="sm" c="dimmed">
                {t('customers.views.none')}
              </Text>
            </Menu.Item>
          ) : null}
          {canWrite ? (
            <>
              <Menu.Divider />
              {current && modified ? (
                <Menu.Item leftSection={<IconDeviceFloppy size={14} aria-hidden />} onClick={saveChanges}>
                  {t('customers.views.update', { name: current.name })}
                </Menu.Item>
              ) : null}
              <Menu.Item leftSection={<IconBookmarkPlus size={14} aria-hidden />} onClick={() => setDialog('save')}>
                {t('customers.views.save')}
              </Menu.Item>
              {current ? (
                <>
                  <Menu.Item leftSection={<IconPencil size={14} aria-hidden />} onClick={() => setDialog('rename')}>
                    {t('customers.views.rename', { name: current.name })}
                  </Menu.Item>
                  <Menu.Item
                    color="red"
                    leftSection={<IconTrash size={14} aria-hidden />}
                    onClick={() => setDialog('delete')}
                  >
                    {t('customers.views.delete', { name: current.name })}
                  </Menu.Item>
                </>
              ) : null}
            </>
          ) : null}
        </Menu.Dropdown>
      </Menu>

      <ViewNameModal
        opened={dialog === 'save' || dialog === 'rename'}
        mode={dialog === 'rename' ? 'rename' : 'save'}
        view={current}
        state={state}
        onClose={() => setDialog(null)}
        onSaved={(v) => {
          setDialog(null);
          onOpen(v);
        }}
      />

      <Modal
        opened={dialog === 'delete'}
        onClose={() => setDialog(null)}
        title={t('customers.views.delete', { name: current?.name ?? '' })}
      >
        <Stack>
          <Text>{t('customers.views.deleteConfirm', { name: current?.name ?? '' })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDialog(null)}>
              {t('customers.views.cancel')}
            </Button>
            <Button color="red" onClick={confirmDelete} data-autofocus>
              {t('customers.views.delete', { name: current?.name ?? '' })}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function ViewNameModal({
  opened,
  mode,
  view,
  state,
  onClose,
  onSaved,
}: {
  opened: boolean;
  mode: 'save' | 'rename';
  view: SavedView | null;
  state: ListState;
  onClose: () => void;
  onSaved: (view: SavedView) => void;
}) {
  const { t } = useTranslation();
  const create = useCreateView();
  const update = useUpdateView();
  const [formError, setFormError] = useState<string | null>(null);
  const form = useForm({
    initialValues: { name: '' },
    validate: { name: (v) => (v.trim() ? null : t('validation.required')) },
  });
  const pending = create.isPending || update.isPending;

  // Renaming starts from the current name; saving from an empty field.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the dialog opens
  useEffect(() => {
    if (opened) form.setValues({ name: mode === 'rename' ? (view?.name ?? '') : '' });
  }, [opened]);

  const submit = form.onSubmit(({ name }) => {
    setFormError(null);
    const onError = (error: unknown) => {
      if (error instanceof ApiError && error.code === 'name_taken') {
        form.setFieldError('name', t('customers.views.nameTaken'));
        return;
      }
      setFormError(placeError(t, error, form, ['name']));
    };
    const onSuccess = (v: SavedView) => {
      notifications.show({ color: 'green', message: t('customers.views.saved', { name: v.name }) });
      onSaved(v);
    };
    if (mode === 'rename' && view) update.mutate({ id: view.id, name: name.trim() }, { onSuccess, onError });
    else create.mutate({ name: name.trim(), ...viewInput(state) }, { onSuccess, onError });
  });

  return (
    <Modal
      opened={opened}
      onClose={() => {
        setFormError(null);
        onClose();
      }}
      title={mode === 'rename' ? t('customers.views.renameTitle') : t('customers.views.saveTitle')}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          {mode === 'save' ? (
            <Text size="sm" c="dimmed">
              {t('customers.views.saveDescription')}
            </Text>
          ) : null}
          <TextInput
            label={t('customers.views.nameLabel')}
            placeholder={t('customers.views.namePlaceholder')}
            required
            maxLength={80}
            data-autofocus
            {...form.getInputProps('name')}
          />
          {formError ? <Alert color="red">{formError}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('customers.views.cancel')}
            </Button>
            <Button type="submit" loading={pending}>
              {t('customers.views.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
