/** One finding of `storage doctor`: what was checked, what was found, and what to do about it. */
export interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  /** What to do, for `warn` and `fail`. */
  fix?: string;
}

export const ok = (check: string, detail: string): Check => ({ check, status: 'ok', detail });
export const warn = (check: string, detail: string, fix: string): Check => ({
  check,
  status: 'warn',
  detail,
  fix,
});
export const fail = (check: string, detail: string, fix: string): Check => ({
  check,
  status: 'fail',
  detail,
  fix,
});
export const skip = (check: string, detail: string): Check => ({ check, status: 'skip', detail });

export const errorText = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
