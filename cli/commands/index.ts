import type { Command } from 'commander';
import { registerArchiver } from './archiver';
import { registerDoctor } from './doctor';
import { registerGet } from './get';
import { registerHealth } from './health';
import { registerJob } from './job';
import { registerJobs } from './jobs';
import { registerNodes } from './nodes';
import { registerRepair } from './repair';
import { registerRing } from './ring';
import { registerUpload } from './upload';
import { registerWhere } from './where';

/** Every command, in the order `storage --help` lists them. */
export function registerCommands(program: Command): void {
  registerUpload(program);
  registerJobs(program);
  registerJob(program);
  registerGet(program);
  registerNodes(program);
  registerRing(program);
  registerWhere(program);
  registerHealth(program);
  registerDoctor(program);
  registerRepair(program);
  registerArchiver(program);
}
