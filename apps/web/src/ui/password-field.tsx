import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/**
 * Mantine's PasswordInput (v9) marks its input `data-invalid` but not `aria-invalid` when it has an error,
 * so screen readers would not announce the field as invalid; this adds it.
 */
export function PasswordField(props: PasswordInputProps) {
  return <PasswordInput aria-invalid={props.error ? true : undefined} {...props} />;
}
