import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useChannelLabel } from '../customers/channels';
import { useFormat } from '../ui/format';
import type { SentenceContext } from './sentence';

/** The sentence context for the signed-in person: their language, the workspace's formats. */
export function useSentenceContext(segments: { id: string; name: string }[] | undefined): SentenceContext {
  const { t } = useTranslation();
  const f = useFormat();
  const channel = useChannelLabel();
  return useMemo(() => {
    const names = new Map((segments ?? []).map((s) => [s.id, s.name]));
    return {
      t,
      locale: f.locale,
      number: (v) => f.number(v),
      money: (v) => f.money(v),
      date: (iso) => f.date(iso),
      channel,
      segment: (id) => names.get(id) ?? t('segments.sentence.unknownSegment'),
    };
  }, [t, f, channel, segments]);
}
