import { Clock, shiftedClock, systemClock } from '@arca/schedule';

/** Injection token of the scheduler's Clock: the system clock, or SCHEDULER_CLOCK's shifted one (tests, demos). */
export const CLOCK = Symbol('CLOCK');

export const clockProvider = { provide: CLOCK, useFactory: (): Clock => shiftedClock(process.env.SCHEDULER_CLOCK) ?? systemClock };
