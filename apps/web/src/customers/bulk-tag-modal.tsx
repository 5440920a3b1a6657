import { Alert, Button, Group, Modal, Stack, TagsInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { describeError } from '../ui/errors';
import { useBulkTag } from './api';

/** Adds and removes tags on the selected customers in one request. */
export function BulkTagModal({
  ids,
  opened,
  onClose,
  onDone,
}: {
  ids: string[];
  opened: boolean;
  onClose: () => void;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const bulk = useBulkTag();
  const [add, setAdd] = useState<string[]>([]);
  const [remove, setRemove] = useState<string[]>([]);
  const [error, setError] = useState<{ field: 'add' | 'remove' | null; message: string } | null>(null);

  const close = () => {
    setAdd([]);
    setRemove([]);
    setError(null);
    onClose();
  };

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (add.length + remove.length === 0) {
      setError({ field: 'add', message: t('customers.bulk.needTags') });
      return;
    }
    setError(null);
    bulk.mutate(
      { ids, add: add.length ? add : undefined, remove: remove.length ? remove : undefined },
      {
        onSuccess: (r) => {
          notifications.show({ color: 'green', message: t('customers.bulk.done', { count: r.updated }) });
          if (r.notFound.length) {
            notifications.show({ color: 'yellow', message: t('customers.bulk.skipped', { count: r.notFound.length }) });
          }
          close();
          onDone();
        },
        onError: (e) => {
          const field =
            e instanceof ApiError &&
            (e.field?.startsWith('remove') ? 'remove' : e.field?.startsWith('add') ? 'add' : null);
          setError({ field: field || null, message: describeError(t, e) });
        },
      },
    );
  };

  return (
    <Modal opened={opened} onClose={close} title={t('customers.bulk.title', { count: ids.length })}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TagsInput
            label={t('customers.bulk.add')}
            description={t('customers.bulk.tagsHint')}
            value={add}
            onChange={setAdd}
            maxTags={100}
            clearable
            data-autofocus
            error={error?.field === 'add' ? error.message : undefined}
          />
          <TagsInput
            label={t('customers.bulk.remove')}
            description={t('customers.bulk.tagsHint')}
            value={remove}
            onChange={setRemove}
            maxTags={100}
            clearable
            error={error?.field === 'remove' ? error.message : undefined}
          />
          {error && !error.field ? <Alert color="red">{error.message}</Alert> : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('customers.bulk.cancel')}
            </Button>
            <Button type="submit" loading={bulk.isPending}>
              {t('customers.bulk.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
