import { ago, count, span } from '../lib/format';
import type { RepairStatus } from '../../../shared/weather/types';

/** One line of a node card's repair part; `tone` colours the value. */
export interface RepairRow {
  term: string;
  value: string;
  title?: string;
  tone?: 'bad' | 'warn';
}

/**
 * What a node card shows of repair, from the `repair` field of the node's heartbeat record
 * (shared/repair/repairer.ts `RepairStatus`). Plain data, no DOM: unit-tested. `now` is the
 * answering node's clock (times in the record are by the reporting node's clock).
 */
export function repairRows(repair: RepairStatus | undefined, now: number): RepairRow[] {
  if (!repair)
    return [{ term: 'repair', value: 'unknown', title: 'This node’s version does not report repair' }];
  const rows: RepairRow[] = [
    { term: 'under-replicated', value: count(repair.underReplicated) },
    {
      term: 'pulls in flight',
      value: `${count(repair.pulling)}${repair.running ? ' · pass running' : ''}`,
    },
    {
      term: 'repaired',
      value: `${count(repair.pulled)} pulled · ${count(repair.deleted)} deleted · ${count(repair.quarantined)} quarantined`,
    },
    { term: 'lost', value: count(repair.lost), ...(repair.lost > 0 ? { tone: 'bad' as const } : {}) },
    { term: 'last pass', ...when(repair.lastPassAt, repair.lastPassSeconds, now) },
    { term: 'last scrub', ...when(repair.lastScrubAt, repair.lastScrubSeconds, now) },
  ];
  if (repair.trimBlocked) rows.push({ term: 'trim blocked', value: repair.trimBlocked, tone: 'warn' });
  return rows;
}

function when(at: string | null, seconds: number | null, now: number): { value: string; title?: string } {
  const t = at ? Date.parse(at) : NaN;
  if (!at || Number.isNaN(t)) return { value: 'not yet' };
  const took = seconds === null ? '' : ` · took ${span(seconds * 1000)}`;
  return { value: `${ago(now - t)}${took}`, title: at };
}
