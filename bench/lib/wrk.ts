import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * wrk (Debian's), the load generator of bench/serve.ts, in its own process: one thread,
 * `connections` keep-alive connections, a Lua script that picks each request and prints a
 * JSON summary when done.
 */
export interface WrkResult {
  requests: number;
  /** Response bytes, headers included. */
  bytes: number;
  seconds: number;
  /** Connect, read, write errors and timeouts, plus answers ≥ 400. */
  errors: number;
  rps: number;
  /** MB/s (10^6 bytes) of response bytes. */
  mbps: number;
}

export type WrkScript =
  /** The same path every request. */
  | { kind: 'fixed'; path: string }
  /** Random `chunk`-byte ranges of a `size`-byte file at `path` (seeded, the same sequence each run). */
  | { kind: 'ranges'; path: string; size: number; chunk: number }
  /** Each path of a list once, in order; the run ends after the last (or when `seconds` run out). */
  | { kind: 'list'; paths: string[] };

const SUMMARY = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"bytes":%d,"us":%d,"errors":%d}\\n',
    summary.requests, summary.bytes, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;

function luaOf(script: WrkScript, dir: string): string {
  switch (script.kind) {
    case 'fixed':
      return `wrk.path = ${JSON.stringify(script.path)}\n${SUMMARY}`;
    case 'ranges':
      return `
math.randomseed(42)
local size, chunk = ${script.size}, ${script.chunk}
request = function()
  local start = math.random(0, size - chunk)
  return wrk.format("GET", ${JSON.stringify(script.path)}, { Range = "bytes=" .. start .. "-" .. (start + chunk - 1) })
end
${SUMMARY}`;
    case 'list': {
      const file = path.join(dir, `paths-${process.pid}-${Date.now()}.txt`);
      fs.writeFileSync(file, `${script.paths.join('\n')}\n`);
      return listLua(file);
    }
  }
}

/**
 * Each path once, then the summary and exit. wrk's own end cannot be used: `wrk.thread:stop()`
 * stops the thread's loop, but the main thread sleeps out `-d` before it reports
 * (github.com/wg/wrk/issues/281). So the script counts answers and bytes itself (body plus
 * status line and headers as sent), times the run on the monotonic clock through LuaJIT's
 * FFI, prints the same summary line and exits once the last answer is in (-t1: one thread).
 */
function listLua(file: string): string {
  return `
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } wrk_timespec;
int clock_gettime(int clock, wrk_timespec *t);
]]
local function now_us()
  local t = ffi.new("wrk_timespec")
  ffi.C.clock_gettime(1, t) -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) * 1e6 + tonumber(t.tv_nsec) / 1e3
end
local paths, sent, answered, bytes, errors, started = {}, 0, 0, 0, 0, nil
for line in io.lines(${JSON.stringify(file)}) do paths[#paths + 1] = line end
request = function()
  started = started or now_us()
  sent = sent + 1
  return wrk.format("GET", paths[((sent - 1) % #paths) + 1])
end
response = function(status, headers, body)
  answered = answered + 1
  if status >= 400 then errors = errors + 1 end
  local size = 17 + #body -- "HTTP/1.1 200 OK\\r\\n" and the blank line
  for k, v in pairs(headers) do size = size + #k + #v + 4 end
  bytes = bytes + size
  if answered == #paths then
    io.write(string.format('WRK_JSON {"requests":%d,"bytes":%d,"us":%d,"errors":%d}\\n',
      answered, bytes, now_us() - started, errors))
    io.stdout:flush()
    os.exit(0)
  end
end
${SUMMARY}`;
}

export async function runWrk(
  baseUrl: string,
  script: WrkScript,
  options: { connections: number; seconds: number; dir: string },
): Promise<WrkResult> {
  const lua = path.join(options.dir, `wrk-${process.pid}-${Date.now()}.lua`);
  fs.writeFileSync(lua, luaOf(script, options.dir));
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '20s',
    '-s',
    lua,
    baseUrl,
  ];
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile('wrk', args, { maxBuffer: 1 << 20 }, (err, out, errText) =>
      err ? reject(new Error(`wrk ${args.join(' ')}: ${errText || err.message}`)) : resolve(out),
    ),
  );
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const s = JSON.parse(line.slice('WRK_JSON '.length)) as {
    requests: number;
    bytes: number;
    us: number;
    errors: number;
  };
  const seconds = s.us / 1e6;
  return {
    requests: s.requests,
    bytes: s.bytes,
    seconds,
    errors: s.errors,
    rps: s.requests / seconds,
    mbps: s.bytes / 1e6 / seconds,
  };
}
