import type { JobResult } from './types';

/**
 * Temp-store names of transcode results are per attempt (issue 15): `<fileName>.a<attempt>`.
 * Two deliveries of one job that run at once (a redelivery while the first worker still
 * runs) then never overwrite each other's results; the compare-and-set of the job record
 * decides whose results count, and the storers read exactly those bytes.
 */
export function tempResultName(fileName: string, attempt: number): string {
  return `${fileName}.a${attempt}`;
}

/** The temp object of a result (records written before per-attempt names use the file name). */
export function tempNameOf(result: Pick<JobResult, 'name' | 'temp_name'>): string {
  return result.temp_name ?? result.name;
}

/** The file name a temp object name stands for (a per-attempt suffix removed). */
export function fileNameOfTemp(tempName: string): string {
  return tempName.replace(/\.a\d+$/, '');
}
