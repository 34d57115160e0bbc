export { type Cadence, createFrameScheduler, type FrameSchedulerOptions } from './frame-scheduler.js';
