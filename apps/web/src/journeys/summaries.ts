/** One-line descriptions of a step and of a trigger, for the nodes of the builder. */
import { useTranslation } from 'react-i18next';
import { useSegments } from '../segments/api';
import type { Duration, Step, Trigger } from './definition';

/** Describes a step's main settings in a few words ("2 days, then until 09:00", "Email · welcome-1"). */
export function useStepSummary(): (step: Step) => string {
  const { t } = useTranslation();
  const segments = useSegments();
  const duration = (d: Duration | undefined) =>
    d ? t('journeys.summaries.duration', { amount: d.amount, unit: t(`journeys.units.${d.unit}`) }) : '';
  return (step) => {
    switch (step.type) {
      case 'wait': {
        const wait = duration(step.for);
        if (!step.untilTime) return wait;
        const until = t('journeys.summaries.until', { time: step.untilTime });
        return wait ? `${wait}, ${until}` : until;
      }
      case 'wait_for_event':
        return t('journeys.summaries.waitForEvent', { event: step.event, within: duration(step.timeout) });
      case 'send':
        return `${t(`journeys.step.channels.${step.channel}`)} · ${step.templateKey || step.subject || step.body || step.endpointId || '…'}`;
      case 'split':
        return step.branches.map((b) => `${b.percent} %`).join(' / ');
      case 'update_profile':
        return [
          ...(step.addTags ?? []).map((tag) => `+${tag}`),
          ...(step.removeTags ?? []).map((tag) => `−${tag}`),
          ...Object.keys(step.setTraits ?? {}),
        ].join(' ');
      case 'add_to_list':
        return segments.data?.find((s) => s.id === step.segmentId)?.name ?? step.segmentId;
      case 'task':
        return step.title;
      default:
        return '';
    }
  };
}

/** Describes when customers enter ("When “Checkout Started” happens"). */
export function useTriggerSummary(): (trigger: Trigger) => string {
  const { t } = useTranslation();
  const segments = useSegments();
  return (trigger) => {
    switch (trigger.type) {
      case 'event':
        return trigger.event === '$identify'
          ? t('journeys.summaries.identified')
          : t('journeys.summaries.event', { event: trigger.event || '…' });
      case 'segment': {
        const segment = segments.data?.find((s) => s.id === trigger.segmentId)?.name ?? trigger.segmentId;
        return trigger.on === 'exited'
          ? t('journeys.summaries.segmentExited', { segment })
          : t('journeys.summaries.segmentEntered', { segment });
      }
      case 'date': {
        const date = trigger.fact ? t(`journeys.setup.fact.${trigger.fact}`) : (trigger.trait ?? '…');
        return t('journeys.summaries.date', { date, days: trigger.offsetDays ?? 0, at: trigger.at ?? '09:00' });
      }
      case 'inactivity':
        return trigger.event
          ? t('journeys.summaries.inactiveEvent', { event: trigger.event, days: trigger.days })
          : t('journeys.summaries.inactive', { days: trigger.days });
      default:
        return '';
    }
  };
}
