import { clientApiCases } from './client-api';
import { httpCases } from './http';
import { mediaCases } from './media';
import { peerCases } from './peers';
import { readCases } from './reads';
import type { AbuseCase } from './types';

/** Every hostile input the node is tested against (issue 15), by kind. */
export const CATALOGUE: Record<string, AbuseCase[]> = {
  'HTTP and multipart abuse': httpCases,
  'hostile media': mediaCases,
  'hostile reads': readCases,
  'the client API': clientApiCases,
  'hostile peers': peerCases,
};
