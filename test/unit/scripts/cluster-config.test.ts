import { parse } from 'yaml';
import { clusterConfigYaml, clusterLayout } from '../../../scripts/lib/cluster-config';

describe('npm run cluster: its process layout and server configs', () => {
  const layout = clusterLayout(7333);

  it('runs one frontend, two history, two matching and one system worker, each on ports of its own', () => {
    expect(layout.map((process) => process.name)).toEqual(['frontend', 'history-1', 'history-2', 'matching-1', 'matching-2', 'worker']);
    const ports = layout.flatMap((process) => [process.grpcPort, process.membershipPort, ...(process.httpPort ? [process.httpPort] : [])]);
    expect(new Set(ports).size).toBe(ports.length);
    expect(layout[0]).toMatchObject({ grpcPort: 7333, membershipPort: 7433, httpPort: 7343 });
  });

  it("gives each process its own ports in its service's entry, and every process the same stores and frontend", () => {
    const configs = layout.map((process) =>
      parse(clusterConfigYaml({ process, layout, postgres: { host: '127.0.0.1', port: 5434, user: 'airlock' }, numHistoryShards: 4, logLevel: 'warn' })),
    );
    for (const [i, process] of layout.entries()) {
      const config = configs[i];
      expect(config.services[process.service].rpc).toMatchObject({ grpcPort: process.grpcPort, membershipPort: process.membershipPort, bindOnLocalHost: true });
      expect(config.persistence).toMatchObject({ defaultStore: 'postgres-default', visibilityStore: 'postgres-visibility', numHistoryShards: 4 });
      expect(config.persistence.datastores['postgres-default'].sql).toMatchObject({
        pluginName: 'postgres12',
        databaseName: 'temporal',
        connectAddr: '127.0.0.1:5434',
      });
      expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:7333');
    }
    // The two history processes differ only in their own ports.
    expect(configs[1].services.history.rpc.grpcPort).toBe(7334);
    expect(configs[2].services.history.rpc.grpcPort).toBe(7335);
  });
});
