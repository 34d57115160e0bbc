export { createFrameScheduler, type FrameScheduler } from './frame-scheduler.js';
