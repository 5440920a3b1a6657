import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canAssignRole } from '../api/permissions';
import type { Role } from '../api/session';
import { email } from '../auth/validation';
import { useCurrentSession } from '../shell/guards';
import { placeError } from '../ui/errors';
import { useFormat } from '../ui/format';
import { FormAlert } from '../ui/states';
import { useCreateInvitation } from './api';
import { CopyField } from './parts';

export const ROLES: Role[] = ['owner', 'admin', 'marketer', 'agent', 'analyst'];
const DAYS = [1, 3, 7, 14, 30];

/** The roles the signed-in person may give, each with what it allows. */
export function useRoleOptions() {
  const { t } = useTranslation();
  const session = useCurrentSession();
  return ROLES.filter((r) => canAssignRole(session.role, r)).map((r) => ({
    value: r,
    label: `${t(`roles.${r}`)} — ${t(`settings.members.roleHelp.${r}`)}`,
  }));
}

/** Creates an invitation, then shows its link once with a copy button. */
export function InviteModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const create = useCreateInvitation();
  const roles = useRoleOptions();
  const [created, setCreated] = useState<{ email: string; link: string; expiresAt: string } | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm({
    initialValues: { email: '', role: 'marketer' as Role, days: '7' },
    validate: { email: email(t) },
  });

  const close = () => {
    onClose();
    // After the closing animation, so the dialog does not flash back to the form.
    setTimeout(() => {
      setCreated(null);
      setAlert(null);
      form.reset();
    }, 200);
  };

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      const r = await create.mutateAsync({
        email: values.email.trim(),
        role: values.role,
        expiresInDays: Number(values.days),
      });
      setCreated({ email: r.invitation.email, link: r.link, expiresAt: r.invitation.expiresAt });
    } catch (error) {
      setAlert(placeError(t, error, form, ['email', 'role']));
    }
  });

  return (
    <Modal
      opened={opened}
      onClose={close}
      title={
        created ? t('settings.invitations.readyTitle', { email: created.email }) : t('settings.invitations.create')
      }
      size="lg"
    >
      {created ? (
        <Stack gap="md">
          <Text size="sm">{t('settings.invitations.readyBody', { date: f.dateTime(created.expiresAt) })}</Text>
          <CopyField label={t('settings.invitations.link')} value={created.link} />
          <Group justify="flex-end">
            <Button onClick={close} data-autofocus>
              {t('settings.done')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <FormAlert>{alert}</FormAlert>
            <TextInput
              label={t('settings.invitations.email')}
              type="email"
              autoComplete="off"
              required
              data-autofocus
              {...form.getInputProps('email')}
            />
            <Select
              label={t('settings.invitations.role')}
              data={roles}
              allowDeselect={false}
              required
              {...form.getInputProps('role')}
            />
            <Select
              label={t('settings.invitations.expiresIn')}
              data={DAYS.map((d) => ({ value: String(d), label: t('settings.invitations.days', { count: d }) }))}
              allowDeselect={false}
              {...form.getInputProps('days')}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                {t('settings.cancel')}
              </Button>
              <Button type="submit" loading={create.isPending}>
                {t('settings.invitations.submit')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
