// Applies the remembered color scheme before the first paint, so dark mode does not flash white.
// A plain file rather than an inline script, so a strict Content-Security-Policy allows it.
(() => {
  try {
    const stored = localStorage.getItem('kith.color-scheme');
    const prefersDark = matchMedia('(prefers-color-scheme: dark)').matches;
    const dark = stored === 'dark' || ((!stored || stored === 'auto') && prefersDark);
    document.documentElement.setAttribute('data-mantine-color-scheme', dark ? 'dark' : 'light');
  } catch {
    // No storage: Mantine applies its default when React starts.
  }
})();
