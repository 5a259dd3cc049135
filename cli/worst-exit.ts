import { EXIT } from './exit-codes';

/** Which of several outcomes a command exits with: the one a script most needs to know. */
const PRECEDENCE: number[] = [
  EXIT.interrupted,
  EXIT.usage,
  EXIT.missing,
  EXIT.unreachable,
  EXIT.refused,
  EXIT.problem,
];

export function worstExit(codes: number[]): number {
  return PRECEDENCE.find((code) => codes.includes(code)) ?? EXIT.ok;
}
