import { Box, Container, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ColorSchemeToggle } from './color-scheme-toggle';
import { LanguageSwitcher } from './language-switcher';
import { Logo } from './logo';

interface AuthLayoutProps {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
  /** Width of the card in pixels (longer forms are wider). */
  width?: number;
}

/** The frame of the pages shown before signing in: a centred card with the language and theme controls. */
export function AuthLayout({ title, intro, children, width = 460 }: AuthLayoutProps) {
  return (
    <Box mih="100vh" bg="var(--mantine-color-body)">
      <Group component="header" justify="space-between" px="md" py="sm">
        <Logo />
        <Group gap="xs">
          <LanguageSwitcher />
          <ColorSchemeToggle />
        </Group>
      </Group>
      <Container component="main" size={width} py={{ base: 'md', sm: 48 }}>
        <Paper withBorder shadow="sm" radius="md" p={{ base: 'lg', sm: 'xl' }}>
          <Stack gap="lg">
            <Stack gap={4}>
              <Title order={1} size="h2">
                {title}
              </Title>
              {intro ? (
                <Text c="dimmed" size="sm">
                  {intro}
                </Text>
              ) : null}
            </Stack>
            {children}
          </Stack>
        </Paper>
      </Container>
    </Box>
  );
}
