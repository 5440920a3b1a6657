import { Box, Group, List, Text, ThemeIcon } from '@mantine/core';
import { IconCheck, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { ExplainNode } from './api';
import { describeActual, describeCondition, describeGroup, type SentenceContext } from './sentence';

/**
 * "Why is this customer in or out": the rule tree with ✓ or ✗ on every node and, for each
 * condition, what the customer actually has. Every sentence is built here from the structure
 * the server sends, in the person's language.
 */
export function ExplainTree({ node, sentence }: { node: ExplainNode; sentence: SentenceContext }) {
  return (
    <List listStyleType="none" spacing={6} aria-label={sentence.t('segments.explain.treeLabel')} role="tree">
      <ExplainItem node={node} sentence={sentence} level={1} />
    </List>
  );
}

function Mark({ matched }: { matched: boolean }) {
  const { t } = useTranslation();
  return (
    <ThemeIcon
      size={20}
      radius="xl"
      color={matched ? 'teal' : 'red'}
      variant="light"
      role="img"
      aria-label={matched ? t('segments.explain.matched') : t('segments.explain.notMatched')}
    >
      {matched ? <IconCheck size={14} aria-hidden /> : <IconX size={14} aria-hidden />}
    </ThemeIcon>
  );
}

function ExplainItem({ node, sentence, level }: { node: ExplainNode; sentence: SentenceContext; level: number }) {
  const { t } = useTranslation();
  const text = node.condition ? describeCondition(sentence, node.condition) : describeGroup(sentence, node.op ?? 'all');
  const hasActual = node.condition !== undefined && node.actual !== undefined;
  return (
    <List.Item
      role="treeitem"
      aria-level={level}
      aria-expanded={node.children?.length ? true : undefined}
      data-matched={node.matched ? 'true' : 'false'}
      data-testid="explain-node"
      styles={{ itemWrapper: { width: '100%' }, itemLabel: { width: '100%' } }}
    >
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <Mark matched={node.matched} />
        <Box style={{ flex: 1 }}>
          <Text size="sm" fw={node.condition ? 400 : 600}>
            {text}
          </Text>
          {hasActual ? (
            <Text size="xs" c="dimmed">
              {t('segments.explain.actual', { value: describeActual(sentence, node.condition, node.actual) })}
            </Text>
          ) : null}
        </Box>
      </Group>
      {node.children?.length ? (
        <List
          listStyleType="none"
          spacing={6}
          mt={6}
          pl="lg"
          role="group"
          style={{ borderLeft: '2px solid var(--mantine-color-default-border)' }}
        >
          {node.children.map((child, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: explanation nodes mirror the rule's order
            <ExplainItem key={i} node={child} sentence={sentence} level={level + 1} />
          ))}
        </List>
      ) : null}
    </List.Item>
  );
}
