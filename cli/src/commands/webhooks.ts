import { Command, Option } from 'commander';
import { CliIo, contextOf } from '../context';
import { formatTime, table } from '../format';
import { CliError } from '../gateway-client';
import type { Webhook, WebhookDelivery } from '../types';

const EVENTS = ['backup.completed', 'backup.failed', 'replication.failed', 'policy.rpo_breached', 'policy.rto_breached'];

export function renderWebhooks(hooks: Webhook[]): string {
  if (hooks.length === 0) return 'no webhooks (add one with "arca webhooks add URL --event backup.failed")';
  return table(['id', 'url', 'events', 'created'], hooks.map((w) => [w.id.slice(0, 8), w.url, w.events.join(' '), formatTime(w.createdAt)]));
}

export function renderDeliveries(deliveries: WebhookDelivery[]): string {
  if (deliveries.length === 0) return 'no deliveries yet';
  return table(['time', 'event', 'status', 'attempts', 'last answer', 'next attempt'], deliveries.map((d) => [
    formatTime(d.createdAt), d.event, d.status, String(d.attempts), d.lastError ?? (d.lastStatus !== null ? String(d.lastStatus) : '–'), d.nextAttemptAt ? formatTime(d.nextAttemptAt) : '–',
  ]));
}

function resolveWebhookId(given: string, hooks: Webhook[]): string {
  const found = hooks.filter((w) => w.id.startsWith(given));
  if (found.length === 1) return found[0].id;
  throw new CliError(found.length ? `"${given}" names more than one webhook; give more of the id` : `no webhook "${given}" (see "arca webhooks list")`);
}

export function webhooksCommand(io: CliIo): Command {
  const webhooks = new Command('webhooks').description('webhook subscriptions: add, list, remove, deliveries, test');
  const resolve = async (ctx: ReturnType<typeof contextOf>, given: string) => resolveWebhookId(given, await ctx.client.get<Webhook[]>('/webhooks'));

  webhooks.command('add')
    .description('send events to an https:// (or loopback http://) URL; prints the signing secret, shown only this once')
    .argument('<url>', 'the receiver')
    .addOption(new Option('--event <event...>', 'events to send').choices(EVENTS).makeOptionMandatory())
    .option('--json', 'print the subscription and its secret as JSON')
    .action(async (url: string, options: { event: string[] }, command: Command) => {
      const ctx = contextOf(command, io);
      const created = await ctx.client.post<Webhook>('/webhooks', { url, events: options.event });
      if (ctx.json) return ctx.out(created);
      ctx.note(`added webhook ${created.id} for ${created.events.join(', ')}; its signing secret is shown only this once:`);
      ctx.out(created.secret ?? '');
    });

  webhooks.command('list')
    .description('every subscription')
    .option('--json', 'print them as JSON')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const list = await ctx.client.get<Webhook[]>('/webhooks');
      ctx.out(ctx.json ? list : renderWebhooks(list));
    });

  webhooks.command('remove')
    .description('remove a subscription and its deliveries')
    .argument('<webhook>', 'id or unique id prefix')
    .action(async (given: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const id = await resolve(ctx, given);
      await ctx.client.delete(`/webhooks/${id}`);
      ctx.out(ctx.json ? { removed: id } : `removed webhook ${id}`);
    });

  webhooks.command('deliveries')
    .description("a subscription's deliveries, newest first, with the receiver's last answer")
    .argument('<webhook>', 'id or unique id prefix')
    .option('--json', 'print them as JSON')
    .action(async (given: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const list = await ctx.client.get<WebhookDelivery[]>(`/webhooks/${await resolve(ctx, given)}/deliveries`);
      ctx.out(ctx.json ? list : renderDeliveries(list));
    });

  webhooks.command('test')
    .description('send a webhook.test delivery now (see "arca webhooks deliveries" for the answer)')
    .argument('<webhook>', 'id or unique id prefix')
    .action(async (given: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command, io);
      const delivery = await ctx.client.post<WebhookDelivery>(`/webhooks/${await resolve(ctx, given)}/test`);
      ctx.out(ctx.json ? delivery : `queued test delivery ${delivery.id}`);
    });

  return webhooks;
}
