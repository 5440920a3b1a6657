import { describe, expect, it } from 'vitest';
import { filledVariants } from './api';

describe('filledVariants', () => {
  it('keeps the languages with a subject and a body, and drops an empty plain text', () => {
    expect(
      filledVariants({
        en: { subject: 'Hi', html: '<p>Hi</p>', text: '  ' },
        es: { subject: 'Hola', html: '' },
      }),
    ).toEqual({ en: { subject: 'Hi', html: '<p>Hi</p>', text: null } });
  });

  it('is null when no language is complete (nothing to preview)', () => {
    expect(filledVariants({ en: { subject: '', html: '<p>x</p>' } })).toBeNull();
  });
});
