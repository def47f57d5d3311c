import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerService } from './scheduler.service';

/** Looks for due schedules every SCHEDULER_TICK_MS (default 1 s). */
@Injectable()
export class SchedulerTicker implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly logger = new Logger('SchedulerTicker');

  constructor(private readonly scheduler: SchedulerService) {}

  onApplicationBootstrap(): void {
    const interval = Number(process.env.SCHEDULER_TICK_MS ?? 1000);
    const tick = async () => {
      try {
        const started = await this.scheduler.startDueJobs(new Date());
        if (started > 0) this.logger.log(`requested ${started} scheduled backup(s)`);
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
