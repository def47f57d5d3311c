/**
 * Whether reading an uploaded stream failed because the upload broke off (the client went away or
 * the connection dropped; Node says only "aborted"), rather than in the data path.
 */
export function uploadBrokeOff(error: unknown): boolean {
  const e = error as NodeJS.ErrnoException | undefined;
  return e?.code === 'ECONNRESET' || e?.message === 'aborted';
}
