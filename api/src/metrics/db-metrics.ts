import type { Connection } from 'mongoose';
import type { Metrics } from './metrics';

interface CommandEvent {
  commandName: string;
  duration: number;
}

/** The driver's per-server pools (its own counters; not part of its typed API, hence read defensively). */
interface PoolView {
  totalConnectionCount?: number;
  currentCheckedOutCount?: number;
}
interface TopologyView {
  s?: { servers?: Map<string, { pool?: PoolView }> };
}

/**
 * Feeds the driver's monitoring into the metrics: command latency from its command events (they need
 * `monitorCommands: true` at connect, see `mongoOptions`) and, at each scrape, the pool's connections checked
 * out and open. Returns a function that detaches the command listeners.
 */
export function instrumentMongo(conn: Connection, metrics: Metrics): () => void {
  const client = conn.getClient();
  const succeeded = (e: CommandEvent) => metrics.dbCommands.observe({ command: e.commandName, outcome: 'ok' }, e.duration / 1000);
  const failed = (e: CommandEvent) => metrics.dbCommands.observe({ command: e.commandName, outcome: 'failed' }, e.duration / 1000);
  client.on('commandSucceeded', succeeded);
  client.on('commandFailed', failed);
  metrics.readPool(() => {
    let checkedOut = 0;
    let open = 0;
    const servers = (client as unknown as { topology?: TopologyView }).topology?.s?.servers;
    for (const server of servers?.values() ?? []) {
      checkedOut += server.pool?.currentCheckedOutCount ?? 0;
      open += server.pool?.totalConnectionCount ?? 0;
    }
    return { checkedOut, open };
  });
  return () => {
    client.off('commandSucceeded', succeeded);
    client.off('commandFailed', failed);
  };
}
