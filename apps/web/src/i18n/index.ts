import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { analyticsEn } from '../analytics/locales/en';
import { analyticsEs } from '../analytics/locales/es';
import { setApiLanguage } from '../api/client';
import { customersEn } from '../customers/locales/en';
import { customersEs } from '../customers/locales/es';
import { importsEn } from '../imports/locales/en';
import { importsEs } from '../imports/locales/es';
import { journeysEn } from '../journeys/locales/en';
import { journeysEs } from '../journeys/locales/es';
import { predictionsEn } from '../predictions/locales/en';
import { predictionsEs } from '../predictions/locales/es';
import { segmentsEn } from '../segments/locales/en';
import { segmentsEs } from '../segments/locales/es';
import { settingsEn } from '../settings/locales/en';
import { settingsEs } from '../settings/locales/es';
import { sourcesEn } from '../sources/locales/en';
import { sourcesEs } from '../sources/locales/es';
import { templatesEn } from '../templates/locales/en';
import { templatesEs } from '../templates/locales/es';
import { en } from './en';
import { es } from './es';

// Each product area keeps its strings in its own files, under its own key.
const translationEn = {
  ...en,
  customers: customersEn,
  sources: sourcesEn,
  imports: importsEn,
  settings: settingsEn,
  segments: segmentsEn,
  analytics: analyticsEn,
  templates: templatesEn,
  journeys: journeysEn,
  predictions: predictionsEn,
};
const translationEs = {
  ...es,
  customers: customersEs,
  sources: sourcesEs,
  imports: importsEs,
  settings: settingsEs,
  segments: segmentsEs,
  analytics: analyticsEs,
  templates: templatesEs,
  journeys: journeysEs,
  predictions: predictionsEs,
};

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'kith.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof translationEn };
  }
}

function isLanguage(value: string | null | undefined): value is Language {
  return (LANGUAGES as readonly string[]).includes(value ?? '');
}

/** The remembered choice, else the first of the browser's languages we have, else English. */
export function detectLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // Storage can be unavailable (privacy modes); fall back to the browser.
  }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = tag?.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** Switches the interface language and remembers the choice on this browser. */
export async function changeLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not remembered, but still applied.
  }
  await i18n.changeLanguage(language);
}

/** The language in use, narrowed to the ones we ship. */
export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en';
}

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
  setApiLanguage(language);
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: translationEn }, es: { translation: translationEs } },
  lng: detectLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false }, // React escapes already.
  returnNull: false,
  initAsync: false, // Resources are bundled: ready before the first render.
});

setApiLanguage(currentLanguage());

export { i18n };
