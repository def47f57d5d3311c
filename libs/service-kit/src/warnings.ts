/**
 * kafkajs 2.2 schedules a timer with a negative delay on every response (a known kafkajs issue
 * on Node 23+), which Node reports as a TimeoutNegativeWarning per process. The timer works as
 * intended, so that one warning is dropped; every other warning is printed as usual.
 */
export function silenceKnownKafkajsWarning(): void {
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    if (listeners.length === 0) process.stderr.write(`${warning.name}: ${warning.message}\n`);
    for (const listener of listeners) listener(warning);
  });
}
