import { PassThrough } from 'node:stream';
import { createProgressBoard } from '../../../cli/progress';
import { frames } from '../../cli/run-cli';

/** A stream that says it is a terminal, so the board draws bars; everything drawn is kept. */
function fakeTerminal() {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { drawn: string };
  Object.assign(stream, { isTTY: true, columns: 160, drawn: '' });
  stream.on('data', (chunk: Buffer) => (stream.drawn += chunk.toString()));
  stream.cursorTo = (() => true) as never;
  stream.moveCursor = (() => true) as never;
  stream.clearLine = (() => true) as never;
  stream.clearScreenDown = (() => true) as never;
  return stream;
}

describe('upload progress on a terminal', () => {
  test('the last byte is drawn as 100% even when the node answers within the same frame', async () => {
    const terminal = fakeTerminal();
    const board = createProgressBoard('auto', terminal);
    const file = board.add('dub.wav', 1000);
    file.uploading(400);
    file.uploading(1000);
    // The node's answer, long before cli-progress's next 100 ms frame.
    file.uploaded('abc');
    board.stop();
    await new Promise((resolve) => setImmediate(resolve));
    const shown = frames(terminal.drawn).filter((f) => f.startsWith('dub.wav'));
    expect(shown.some((f) => /\supload\s.*\s100%/.test(f))).toBe(true);
    expect(shown.at(-1)).toMatch(/\squeued\s.*job abc/);
  });

  test('a last byte reported after the board stopped (an aborted upload) leaves no timer running', () => {
    jest.useFakeTimers();
    try {
      const terminal = fakeTerminal();
      const board = createProgressBoard('auto', terminal);
      const file = board.add('long take.wav', 1000);
      file.uploading(40);
      board.stop();
      file.uploading(1000);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
