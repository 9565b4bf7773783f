/**
 * A cached public answer: the JSON body plus the embargo phase it was computed in, as one string
 * (`<phase>\n<body>`), so a hit is sent without parsing the body.
 */
export interface CachedAnswer {
  body: string;
  phase: number;
}

export function encodeAnswer(answer: CachedAnswer): string {
  return `${answer.phase}\n${answer.body}`;
}

export function decodeAnswer(value: string): CachedAnswer {
  const newline = value.indexOf('\n');
  if (newline < 0) return { phase: 0, body: value };
  const phase = Number(value.slice(0, newline));
  return { phase: Number.isInteger(phase) ? phase : 0, body: value.slice(newline + 1) };
}
