import { describe, expect, it } from 'vitest';
// Loading the app loads every domain, and with it every domain's messages.
import '../app.js';
import { LANGUAGES, messageCatalog, pickLanguage, placeholders, pm, render, translateEnglish } from './messages.js';

describe('the message catalog', () => {
  it('has every message in every language, with the same parameters', () => {
    const catalog = messageCatalog();
    const domains = new Set([...catalog.keys()].map((id) => id.split('.')[0]));
    // Every domain that can refuse a request declares its messages.
    expect([...domains].sort()).toEqual(
      expect.arrayContaining([
        'access',
        'commerce',
        'customers',
        'imports',
        'ingest',
        'messaging',
        'platform',
        'privacy',
        'segments',
      ]),
    );
    expect(catalog.size).toBeGreaterThan(100);
    for (const [id, entry] of catalog) {
      for (const language of LANGUAGES) {
        expect(entry[language]?.trim(), `${id} in ${language}`).toBeTruthy();
      }
      expect(placeholders(entry.es), `parameters of ${id}`).toEqual(placeholders(entry.en));
      // A Spanish text identical to the English one is a forgotten translation, unless it holds no words.
      if (entry.es === entry.en) expect(entry.en.replace(/\{\w+\}|[^a-z]/gi, ''), id).toBe('');
    }
  });

  it('fills parameters, including parameters that are messages', () => {
    expect(render(pm('job_state', { states: 'a, b' }), 'es')).toBe('state debe ser uno de a, b');
    expect(render(pm('invalid_json', { detail: 'x' }), 'en')).toBe('Request body is not valid JSON: x');
  });

  it('finds the catalog entry of a custom English text, templates included', () => {
    expect(translateEnglish('must change at least one field', 'es')).toBe('debe cambiar al menos un campo');
    expect(translateEnglish('must be at most 60 characters', 'es')).toBe('debe tener como máximo 60 caracteres');
    expect(translateEnglish('something nobody wrote down', 'es')).toBeNull();
  });

  it('picks the language from Accept-Language, English by default', () => {
    expect(pickLanguage(undefined)).toBe('en');
    expect(pickLanguage('')).toBe('en');
    expect(pickLanguage('es')).toBe('es');
    expect(pickLanguage('es-ES,es;q=0.9,en;q=0.8')).toBe('es');
    expect(pickLanguage('en-US,es;q=0.5')).toBe('en');
    expect(pickLanguage('fr-FR,es;q=0.7')).toBe('es');
    expect(pickLanguage('de, fr')).toBe('en');
    expect(pickLanguage('es;q=0, en;q=0.1')).toBe('en');
  });
});
