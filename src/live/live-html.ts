import type { LiveAsset } from './live-assets';

/** The public tournament info the page shell shows before its script runs. */
export interface ShellInfo {
  tournamentId: string;
  tournamentName?: string;
  startDate?: string;
  endDate?: string;
  venues?: Array<{ venueName?: string }>;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** JSON that cannot end the script element it sits in, whatever the names in it hold. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function dates(info: ShellInfo): string {
  const { startDate, endDate } = info;
  if (!startDate) return '';
  return endDate && endDate !== startDate ? `${startDate} – ${endDate}` : startDate;
}

/**
 * The page: name, dates and venue are in the HTML itself (the first paint needs no script); the
 * public info rides along as JSON so the script draws the first view without asking for it again.
 */
export function livePageHtml(info: ShellInfo, script: LiveAsset, style: LiveAsset): string {
  const id = escapeHtml(info.tournamentId);
  const name = escapeHtml(info.tournamentName ?? 'Tournament');
  const venues = (info.venues ?? []).map((venue) => venue.venueName).filter((venueName) => !!venueName);
  const details = [dates(info), ...venues].filter(Boolean).map((text) => escapeHtml(text as string));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name} · Live results</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/live-assets/live.css?v=${style.hash}">
<script defer src="/live-assets/live.js?v=${script.hash}"></script>
</head>
<body data-tournament-id="${id}">
<a class="skip" href="#main">Skip to results</a>
<header>
<h1>${name}</h1>
<p>${details.join(' · ')}</p>
<p id="connection" role="status" aria-live="polite"></p>
</header>
<nav id="views" aria-label="Results"></nav>
<main id="main" tabindex="-1"><p class="loading">Loading…</p></main>
<noscript><p>This page needs JavaScript to show results.</p></noscript>
<script id="tournament-info" type="application/json">${scriptJson(info)}</script>
</body>
</html>
`;
}

/** Unknown tournaments (and ones on no calendar) get this, with 404: the same for both. */
export function notFoundHtml(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Not found</title></head>
<body><main><h1>Tournament not found</h1><p>There is no public tournament at this address.</p></main></body>
</html>
`;
}
