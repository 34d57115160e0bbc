import type { Browser, Page } from 'playwright-core';

/** What the page's main thread did while it was watched. */
export interface MainThread {
  /** Long tasks as `PerformanceObserver('longtask')` saw them: wall time over 50 ms. */
  longTasks: { start: number; duration: number }[];
  frames: number;
  worstFrameGap: number;
  /** When measuring starts (the prompt is sent) and ends (the answer shows as complete). */
  from: number;
  until: number;
}

type WithRecord = { __mainThread: MainThread };

/**
 * Installed before the app's scripts: records long tasks and the gaps between painted frames, and
 * notices in the frame loop when an answer shows as complete. Tests then only poll this record:
 * waiting with selectors would run the test driver's own scripts on the page's thread.
 */
export function watchMainThread() {
  const record: MainThread = { longTasks: [], frames: 0, worstFrameGap: 0, from: 0, until: 0 };
  (window as unknown as WithRecord).__mainThread = record;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const measuring = record.from > 0 && entry.startTime >= record.from && record.until === 0;
      if (measuring)
        record.longTasks.push({ start: Math.round(entry.startTime - record.from), duration: entry.duration });
    }
  }).observe({ type: 'longtask', buffered: true });
  let last = 0;
  const frame = (now: number) => {
    if (record.from > 0 && record.until === 0 && now >= record.from) {
      if (last > 0) record.worstFrameGap = Math.max(record.worstFrameGap, now - last);
      record.frames++;
      last = now;
      if (document.querySelector('[data-testid="assistant-bubble"][data-status="complete"]')) record.until = now;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

export async function startMeasuring(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as WithRecord).__mainThread.from = performance.now();
  });
}

/** Poll the page's record (cheaply) until the answer shows as complete. */
export async function measured(page: Page, timeoutMs = 30_000): Promise<MainThread> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const record = await page.evaluate(() => (window as unknown as WithRecord).__mainThread);
    if (record.until > 0) return record;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the answer never showed as complete');
}

interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly pid: number;
  readonly tid: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly args?: { readonly name?: string };
}

/** A task on the page's main thread: wall time and the time the thread actually ran, in ms. */
export interface TracedTask {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Start Chromium's trace of the page's tasks (each with its wall time and its thread's CPU time). */
export async function startTrace(browser: Browser, page: Page): Promise<void> {
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
}

/**
 * Stop the trace and return the main thread's tasks longer than `overMs` of wall time. A task's
 * CPU time is the time its thread ran; without it (no thread clock) the wall time stands in.
 */
export async function tracedLongTasks(browser: Browser, overMs = 50): Promise<TracedTask[]> {
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
  const main = new Set(
    traceEvents
      .filter((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${event.pid}:${event.tid}`),
  );
  return traceEvents
    .filter((event) => event.name === 'RunTask' && event.ph === 'X' && main.has(`${event.pid}:${event.tid}`))
    .filter((event) => (event.dur ?? 0) > overMs * 1000)
    .map((event) => ({
      wallMs: Math.round((event.dur ?? 0) / 100) / 10,
      cpuMs: Math.round((event.tdur ?? event.dur ?? 0) / 100) / 10,
    }));
}
