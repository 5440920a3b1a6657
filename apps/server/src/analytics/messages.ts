import { defineMessages } from '../platform/messages.js';

/** What analytics tells a person, in English and Spanish (see platform/messages.ts). */
export const am = defineMessages('analytics', {
  not_a_day: { en: '{field}: must be a date like 2025-05-01', es: '{field}: debe ser una fecha como 2025-05-01' },
  day_format: { en: 'must be a date like 2025-05-01', es: 'debe ser una fecha como 2025-05-01' },
  month_format: { en: 'must be a month like 2025-05', es: 'debe ser un mes como 2025-05' },
  from_after_to: { en: 'from: must be on or before to', es: 'from: debe ser igual o anterior a to' },
  period_too_long: { en: 'from: a period is at most 10 years', es: 'from: un periodo dura como máximo 10 años' },
  required_unless_derived: { en: 'required unless derived is true', es: 'obligatorio salvo que derived sea true' },
  threshold_required: {
    en: '{field}: required unless derived is true',
    es: '{field}: obligatorio salvo que derived sea true',
  },
  at_risk_before_active: {
    en: 'atRiskDays: must be at least activeDays',
    es: 'atRiskDays: debe ser al menos activeDays',
  },
  lapsed_before_at_risk: {
    en: 'lapsedDays: must be more than atRiskDays',
    es: 'lapsedDays: debe ser mayor que atRiskDays',
  },
  too_many_days: {
    en: 'interval: at most 1000 days by day; choose week or month',
    es: 'interval: como máximo 1000 días por día; elige semana o mes',
  },
  two_steps: { en: 'steps: at least two events', es: 'steps: al menos dos eventos' },
  deadline_past: { en: 'deadline: must be today or later', es: 'deadline: debe ser hoy o más adelante' },
  goal_not_found: { en: 'Goal not found', es: 'No se encontró el objetivo' },
});
