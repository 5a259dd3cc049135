import { EventEmitter } from 'node:events';
import { createLogger } from '../../shared/log';
import { connectNats, type Nats } from '../../shared/nats/connection';
import { JobFeed } from '../../shared/weather/job-feed';
import { onMembershipChange } from '../../shared/weather/membership-feed';
import { startTestNats, type TestNats } from '../harness/nats';

/** The event stream's sources: one KV watch per node, shared by every open page. */
describe('JobFeed on a real nats-server', () => {
  let server: TestNats;
  let nats: Nats;

  beforeAll(async () => {
    server = await startTestNats(1);
    nats = await connectNats(server.urls, 'job-feed-test', 1);
    await nats.kvm.create('jobs');
  });

  afterAll(async () => {
    await nats?.nc.close();
    await server?.stop();
  });

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  test('every subscriber gets every later change of a job record, through one watch; the watch restarts after the last leaves', async () => {
    const kv = await nats.kvm.open('jobs');
    await kv.put('before', JSON.stringify({ id: 'before', status: 'done' }));
    const feed = new JobFeed(nats, createLogger('test', 'silent'));
    const [a, b]: string[][] = [[], []];
    const offA = await feed.subscribe((job) => a.push(`${job.id}:${job.status}`));
    const offB = await feed.subscribe((job) => b.push(`${job.id}:${job.status}`));
    const consumersWith = async () => (await nats.jsm.consumers.list('KV_jobs').next()).length;
    expect(await consumersWith()).toBe(1);

    await kv.put('j1', JSON.stringify({ id: 'j1', status: 'pending' }));
    await kv.put('j1', JSON.stringify({ id: 'j1', status: 'done' }));
    await kv.delete('j1');
    await kv.put('bad', 'not json');
    await until(() => a.length >= 2 && b.length >= 2);
    expect([a, b]).toEqual([
      ['j1:pending', 'j1:done'],
      ['j1:pending', 'j1:done'],
    ]);

    // The last unsubscribe stops the watch (the server drops its ephemeral consumer after
    // its inactivity threshold); a new subscriber starts another.
    offA();
    offB();

    const c: string[] = [];
    const offC = await feed.subscribe((job) => c.push(job.id));
    await kv.put('j2', JSON.stringify({ id: 'j2', status: 'pending' }));
    await until(() => c.length > 0);
    expect(c).toEqual(['j2']);
    offC();
  });

  test('membership changes reach every stream through one listener', () => {
    const membership = new EventEmitter();
    const seen: unknown[] = [];
    const offs = Array.from({ length: 20 }, (_, i) =>
      onMembershipChange(membership, (c) => seen.push([i, c])),
    );
    expect(membership.listenerCount('change')).toBe(1);
    membership.emit('change', 'x');
    expect(seen).toHaveLength(20);
    offs.forEach((off) => off());
    membership.emit('change', 'y');
    expect(seen).toHaveLength(20);
  });
});
