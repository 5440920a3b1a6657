/** The small pages a customer sees from an email's links: unsubscribe, done, invalid link. */
import { type Language, render } from '../platform/messages.js';
import { mm } from './messages.js';

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function page(language: Language, title: string, body: string): string {
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f4f5;color:#1f2937}
main{max-width:480px;margin:12vh auto;padding:32px;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:0 0 16px}
p{line-height:1.5}
button{font:inherit;padding:10px 20px;border:0;border-radius:6px;background:#1a6b4c;color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

export interface PageTarget {
  business: string;
  email: string;
  language: Language;
}

/** Asks before unsubscribing: a GET must not unsubscribe (link scanners open every link). */
export function confirmPage(t: PageTarget, action: string): string {
  const title = render(mm('unsubscribe_title'), t.language);
  const question = render(mm('unsubscribe_question', { business: t.business, email: t.email }), t.language);
  return page(
    t.language,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(question)}</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">${escapeHtml(render(mm('unsubscribe_button'), t.language))}</button>
</form>`,
  );
}

export function donePage(t: PageTarget): string {
  const title = render(mm('unsubscribed_title'), t.language);
  const text = render(mm('unsubscribed_text', { business: t.business, email: t.email }), t.language);
  return page(t.language, title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>`);
}

export function invalidLinkPage(language: Language): string {
  const text = render(mm('link_invalid'), language);
  return page(language, text, `<p>${escapeHtml(text)}</p>`);
}

/** Double opt-in: asks before confirming (a GET must not subscribe: link scanners open every link). */
export function confirmOptInPage(t: PageTarget, action: string): string {
  const title = render(mm('optin_title'), t.language);
  const question = render(mm('optin_question', { business: t.business, email: t.email }), t.language);
  return page(
    t.language,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(question)}</p>
<form method="post" action="${escapeHtml(action)}">
<button type="submit">${escapeHtml(render(mm('optin_button'), t.language))}</button>
</form>`,
  );
}

export function optInDonePage(t: PageTarget): string {
  const title = render(mm('optin_title'), t.language);
  const text = render(mm('optin_done', { business: t.business, email: t.email }), t.language);
  return page(t.language, title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>`);
}

const CHANNEL_LABEL = {
  email: 'prefs_channel_email',
  sms: 'prefs_channel_sms',
  whatsapp: 'prefs_channel_whatsapp',
  push: 'prefs_channel_push',
  direct_mail: 'prefs_channel_direct_mail',
  phone: 'prefs_channel_phone',
} as const;

/** The preference center: one checkbox per channel (marketing), ticked when subscribed. */
export function preferencesPage(
  t: PageTarget & { channels: { channel: string; status: string }[] },
  action: string,
  saved = false,
): string {
  const title = render(mm('prefs_title'), t.language);
  const rows = t.channels
    .map((c) => {
      const key = CHANNEL_LABEL[c.channel as keyof typeof CHANNEL_LABEL];
      const label = key ? render(mm(key), t.language) : c.channel;
      const id = `ch-${c.channel}`;
      return `<p><input type="checkbox" id="${id}" name="channel" value="${escapeHtml(c.channel)}"${c.status === 'subscribed' ? ' checked' : ''}> <label for="${id}">${escapeHtml(label)}</label></p>`;
    })
    .join('\n');
  return page(
    t.language,
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(render(mm('prefs_intro', { business: t.business }), t.language))}</p>
${saved ? `<p role="status"><strong>${escapeHtml(render(mm('prefs_saved'), t.language))}</strong></p>` : ''}
<form method="post" action="${escapeHtml(action)}">
${rows}
<button type="submit">${escapeHtml(render(mm('prefs_save'), t.language))}</button>
</form>`,
  );
}
