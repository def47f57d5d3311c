import { IHeaders } from 'kafkajs';

/** What an @EventPattern handler receives besides the validated event (`@Ctx() context: ArcaEventContext`). */
export class ArcaEventContext {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: string,
    readonly groupId: string,
    readonly headers: IHeaders,
  ) {}
}
