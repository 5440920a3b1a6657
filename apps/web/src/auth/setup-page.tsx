import { Button, Fieldset, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api/client';
import { setupKey, useSetup } from '../api/session';
import { AuthLayout } from '../ui/auth-layout';
import { placeError } from '../ui/errors';
import { PasswordField } from '../ui/password-field';
import { FormAlert } from '../ui/states';
import { useAutofocus } from '../ui/use-autofocus';
import { usePageTitle } from '../ui/use-page-title';
import { guessDefaults, WorkspaceDefaultsFields } from '../ui/workspace-defaults-fields';
import { email, MIN_PASSWORD_LENGTH, newPassword, required } from './validation';

const FIELDS = [
  'workspaceName',
  'name',
  'email',
  'password',
  'defaultCountry',
  'currency',
  'timezone',
  'locale',
] as const;

const LEGEND = {
  legend: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)', marginBottom: 'var(--mantine-spacing-xs)' },
};

/** First run: creates the workspace and its owner, then signs the owner in. */
export function SetupPage() {
  const { t, i18n } = useTranslation();
  usePageTitle(t('setup.title'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const setup = useSetup();
  const [alert, setAlert] = useState<string | null>(null);
  const firstField = useAutofocus<HTMLInputElement>();

  const form = useForm({
    initialValues: {
      workspaceName: '',
      name: '',
      email: '',
      password: '',
      ...guessDefaults(i18n.resolvedLanguage ?? 'en'),
    },
    validate: { workspaceName: required(t), name: required(t), email: email(t), password: newPassword(t) },
  });

  const submit = form.onSubmit(async (values) => {
    setAlert(null);
    try {
      await setup.mutateAsync({
        workspaceName: values.workspaceName.trim(),
        name: values.name.trim() || undefined,
        email: values.email.trim(),
        password: values.password,
        defaultCountry: values.defaultCountry,
        currency: values.currency,
        timezone: values.timezone,
        locale: values.locale,
      });
      navigate('/', { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'already_set_up') {
        // Someone finished setup first: this page no longer applies.
        navigate('/login', { replace: true, state: { notice: 'alreadySetUp' } });
        queryClient.setQueryData(setupKey, { needed: false });
        return;
      }
      setAlert(placeError(t, error, form, FIELDS));
    }
  });

  return (
    <AuthLayout title={t('setup.title')} intro={t('setup.intro')} width={640}>
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <FormAlert>{alert}</FormAlert>
          <Fieldset legend={t('setup.business')} variant="unstyled" styles={LEGEND}>
            <Stack gap="md">
              <TextInput
                ref={firstField}
                label={t('fields.workspaceName')}
                description={t('fields.workspaceNameDescription')}
                autoComplete="organization"
                required
                {...form.getInputProps('workspaceName')}
              />
              <WorkspaceDefaultsFields form={form} />
            </Stack>
          </Fieldset>
          <Fieldset legend={t('setup.account')} variant="unstyled" styles={LEGEND}>
            <Stack gap="md">
              <TextInput label={t('fields.name')} autoComplete="name" required {...form.getInputProps('name')} />
              <TextInput
                label={t('fields.email')}
                type="email"
                autoComplete="email"
                required
                {...form.getInputProps('email')}
              />
              <PasswordField
                label={t('fields.password')}
                description={t('fields.newPasswordDescription', { count: MIN_PASSWORD_LENGTH })}
                autoComplete="new-password"
                required
                {...form.getInputProps('password')}
              />
            </Stack>
          </Fieldset>
          <Button type="submit" loading={setup.isPending} fullWidth mt="xs">
            {t('setup.submit')}
          </Button>
        </Stack>
      </form>
    </AuthLayout>
  );
}
