import fs from 'node:fs';

/**
 * What a server process costs, from /proc (Linux): CPU seconds (user + system) of a process
 * and its direct children (nginx's master and worker), and resident memory. On a shared
 * machine CPU time per request is steadier than requests per second.
 */
export function cpuSeconds(pid: number): number {
  const ticks = (p: number) => {
    const fields = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  };
  const children = fs
    .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return [pid, ...children].reduce((sum, p) => sum + ticks(p), 0) / 100; // USER_HZ
}

export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}
