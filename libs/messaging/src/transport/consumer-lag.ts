/**
 * A group's lag on one topic: per partition, the end offset less the committed one, summed. A
 * partition the group never committed on counts from 0, since the platform's groups start from
 * the beginning (`fromBeginning: true`).
 */
export function consumerLag(ends: Map<number, number>, committed: { partition: number; offset: number }[]): number {
  const at = new Map(committed.map((c) => [c.partition, c.offset]));
  let lag = 0;
  for (const [partition, end] of ends) lag += Math.max(0, end - Math.max(0, at.get(partition) ?? 0));
  return lag;
}
