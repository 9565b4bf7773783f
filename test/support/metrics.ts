/** `name{labels} value` lines of a Prometheus text scrape, keyed by `name{labels}` as written. */
export type Scrape = Map<string, number>;

export function seriesOf(text: string): Scrape {
  const series: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}
