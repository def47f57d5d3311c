import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerService } from './scheduler.service';

/** Runs the scheduler's tick every SCHEDULER_TICK_MS (default 1 s); what is due is read from the injected clock. */
@Injectable()
export class SchedulerTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly logger = new Logger('SchedulerTicker');

  constructor(private readonly scheduler: SchedulerService) {}

  onApplicationBootstrap(): void {
    const interval = Number(process.env.SCHEDULER_TICK_MS ?? 1000);
    const tick = async () => {
      try {
        const done = await this.scheduler.tick();
        const said = Object.entries(done).filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`);
        if (said.length > 0) this.logger.log(`tick: ${said.join(', ')}`);
      } catch (error) {
        this.logger.warn(`tick failed, will retry: ${(error as Error).message}`);
      }
      this.timer = setTimeout(tick, interval);
    };
    this.timer = setTimeout(tick, interval);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }
}
