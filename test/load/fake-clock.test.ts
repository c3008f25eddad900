import { describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';

describe('FakeClock', () => {
  it('resolves a sleep only when time reaches its end', async () => {
    const clock = new FakeClock();
    let woke = -1;
    void clock.sleep(10).then(() => (woke = clock.now()));
    await clock.advance(9);
    expect(woke).toBe(-1);
    await clock.advance(1);
    expect(woke).toBe(10);
  });

  it('runs an awaited chain of sleeps at their exact times within one advance', async () => {
    const clock = new FakeClock();
    const wokeAt: number[] = [];
    const chain = async (): Promise<void> => {
      for (const ms of [3, 4, 5]) {
        await clock.sleep(ms);
        wokeAt.push(clock.now());
      }
    };
    void chain();
    await clock.advance(100);
    expect(wokeAt).toEqual([3, 7, 12]);
    expect(clock.now()).toBe(100);
  });

  it('moves time without firing anything on block, and fires the overdue sleeps at the next flush', async () => {
    const clock = new FakeClock(1000);
    let wokeAt = -1;
    void clock.sleep(5).then(() => (wokeAt = clock.now()));
    clock.block(20);
    expect([clock.now(), wokeAt, clock.pendingSleeps]).toEqual([1020, -1, 1]);
    await clock.flush();
    expect([wokeAt, clock.pendingSleeps]).toEqual([1020, 0]);
  });

  it('keeps wall time in step with monotonic time', async () => {
    const clock = new FakeClock(0, 1_700_000_000_000);
    await clock.advance(1500);
    expect(clock.wallNow()).toBe(1_700_000_001_500);
  });

  it('reports a promise that can never settle instead of waiting forever', async () => {
    const clock = new FakeClock();
    await expect(clock.run(new Promise(() => undefined))).rejects.toThrow('nothing left to fire');
  });
});
