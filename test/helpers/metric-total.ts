/**
 * The sum of a metric's samples in Prometheus text whose labels include `labels`: the count a
 * test reads off a `/metrics` scrape, before and after what it does.
 */
export function metricTotal(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (wanted.every((pair) => line.includes(pair))) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}
