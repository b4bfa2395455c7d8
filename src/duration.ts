// Durations in words for people (tables, annotations): one formatter, so a value reads the same wherever it is shown.
// Pure formatting of a number; it decides nothing about what the number means.

/** µs as the tables print them: µs, ms (two decimals below 10 ms), s, then minutes, hours and days; '-' when unknown. */
export function formatDurationUs(us: number | null | undefined): string {
  if (us === null || us === undefined || !Number.isFinite(us)) return '-';
  const abs = Math.abs(us);
  if (abs < 1000) return `${us.toFixed(0)} µs`;
  if (abs < 1e6) return `${(us / 1000).toFixed(abs < 1e4 ? 2 : 1)} ms`;
  if (abs < 60e6) return `${(us / 1e6).toFixed(2)} s`;
  const sign = us < 0 ? '-' : '';
  const s = Math.round(abs / 1e6);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m${two(s % 60)}s`;
  // Merged captures can span days (or years between unrelated files): hours and days, not thousands of minutes.
  if (s < 86400) return `${sign}${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m${two(s % 60)}s`;
  return `${sign}${Math.floor(s / 86400)}d${two(Math.floor(s / 3600) % 24)}h${two(Math.floor(s / 60) % 60)}m`;
}
