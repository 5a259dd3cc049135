import { count } from '../lib/format';
import type { WeatherMember } from '../../../shared/weather/types';
import type { RepairRow } from './repair';

/**
 * What a node card shows of placement, from the node's heartbeat record: its weight, and
 * while it drains, how far the drain is and whether it is safe to remove. Plain data, no DOM:
 * unit-tested.
 */
export function placementRows(m: Pick<WeatherMember, 'weight' | 'draining' | 'drain'>): RepairRow[] {
  const rows: RepairRow[] = [{ term: 'placement weight', value: formatWeight(m.weight) }];
  if (!m.draining) return rows;
  const d = m.drain;
  if (!d) return [...rows, { term: 'draining', value: 'not checked yet', tone: 'warn' }];
  if (d.safeToRemove)
    return [
      ...rows,
      { term: 'draining', value: `safe to remove · ${count(d.files)} files on R other owners` },
    ];
  return [
    ...rows,
    {
      term: 'draining',
      value: `${count(d.confirmed)} of ${count(d.files)} files on R other owners`,
      title: d.blocked ?? undefined,
      tone: 'warn',
    },
  ];
}

function formatWeight(w: unknown): string {
  return typeof w === 'number' && Number.isFinite(w) && w > 0 ? String(Math.round(w * 100) / 100) : '1';
}
