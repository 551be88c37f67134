import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { configSchema } from '../../../config/schema';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';
import { DEFAULT_CACHE_BUDGET_MIB, WORKER_NODE_FLAGS, WORKER_PROCESS_ENV } from '../../../workers/worker-sizing';

/**
 * What kubeconform cannot see in deploy/kubernetes/ (`npm run validate:deploy` checks the schemas):
 * that the manifests run Airlock as the compose file does, keep two of each through disruptions,
 * and commit no secret.
 */
const DIR = join(PROJECT_ROOT, 'deploy', 'kubernetes');

interface Resource {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}
interface EnvVar {
  name: string;
  value?: string;
}
interface Container {
  name: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  resources?: { limits?: { memory?: string } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  terminationGracePeriodSeconds?: number;
}
interface DeploymentSpec {
  replicas: number;
  strategy: { rollingUpdate: { maxUnavailable: number; maxSurge: number } };
  template: { spec: PodSpec };
}

const resources: Resource[] = readdirSync(DIR)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) => parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((document) => document.toJSON() as Resource));

function find(kind: string, name: string): Resource {
  const found = resources.find((resource) => resource.kind === kind && resource.metadata.name === name);
  if (!found) throw new Error(`deploy/kubernetes has no ${kind} ${name}`);
  return found;
}
const deployment = (name: string): DeploymentSpec => find('Deployment', name).spec as unknown as DeploymentSpec;
const container = (name: string): Container => {
  const [only] = deployment(name).template.spec.containers;
  if (!only) throw new Error(`${name} has no container`);
  return only;
};
const settings = find('ConfigMap', 'airlock-settings').data ?? {};
/** A container's environment: the settings ConfigMap (when it reads it), then its own env. */
function environment(name: string): Map<string, string | undefined> {
  const own = container(name);
  const fromSettings = own.envFrom?.some((source) => source.configMapRef?.name === 'airlock-settings') ? Object.entries(settings) : [];
  return new Map([...fromSettings, ...(own.env ?? []).map((variable): [string, string | undefined] => [variable.name, variable.value])]);
}
const AIRLOCK = ['airlock-worker', 'airlock-api'] as const;

describe('deploy/kubernetes', () => {
  it('runs each entry point as the compose file does (the worker with its Node flags)', () => {
    expect(container('airlock-worker').command).toEqual(['node', ...WORKER_NODE_FLAGS, 'dist/workers/main.js']);
    expect(container('airlock-api').command).toEqual(['node', 'dist/api/main.js']);
    const workerEnv = environment('airlock-worker');
    for (const [name, value] of Object.entries(WORKER_PROCESS_ENV)) expect({ name, value: workerEnv.get(name) }).toEqual({ name, value });
  });

  it('sets only AIRLOCK_* variables that config/schema.ts knows, so a typo fails here', () => {
    const known = new Set(Object.keys(configSchema.shape));
    const names = [...Object.keys(settings), ...AIRLOCK.flatMap((name) => [...environment(name).keys()])];
    expect(names.filter((key) => key.startsWith('AIRLOCK_') && !known.has(key))).toEqual([]);
  });

  it('points every AIRLOCK_*_FILE setting into a volume the container mounts', () => {
    for (const name of AIRLOCK) {
      const mounts = (container(name).volumeMounts ?? []).map((mount) => `${mount.mountPath}/`);
      const files = [...environment(name)].filter(([key]) => key.startsWith('AIRLOCK_') && key.endsWith('_FILE'));
      expect(files.length).toBeGreaterThan(3);
      for (const [key, path] of files) expect({ name, key, mounted: mounts.some((mount) => path?.startsWith(mount)) }).toEqual({ name, key, mounted: true });
    }
  });

  it('keeps two of each through a rollout or a drain: one may go, as the fault test kills one', () => {
    for (const name of AIRLOCK) {
      const spec = deployment(name);
      expect({ name, replicas: spec.replicas, rollingUpdate: spec.strategy.rollingUpdate }).toEqual({
        name,
        replicas: 2,
        rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
      });
      expect(find('PodDisruptionBudget', name).spec).toMatchObject({ minAvailable: 1 });
    }
    expect(find('HorizontalPodAutoscaler', 'airlock-api').spec).toMatchObject({ minReplicas: 2 });
  });

  it('gives the worker the sizing workers/worker-sizing.ts assumes: memory limit and cache budget raised together', () => {
    const budget = Number(environment('airlock-worker').get('AIRLOCK_WORKER_CACHE_MIB'));
    const limit = container('airlock-worker').resources?.limits?.memory ?? '';
    expect(limit).toMatch(/^\d+Mi$/);
    expect(budget).toBe(DEFAULT_CACHE_BUDGET_MIB);
    // 512 MiB for the default budget: ~400 MiB measured at start (the bundler child), 326 MiB at 10,000 pending.
    expect(parseInt(limit, 10) - budget).toBeGreaterThanOrEqual(512 - DEFAULT_CACHE_BUDGET_MIB);
    expect(deployment('airlock-worker').template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
  });

  it('runs as non-root on a read-only root filesystem, with no capabilities and the runtime seccomp profile', () => {
    for (const name of AIRLOCK) {
      const pod = deployment(name).template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      for (const each of pod.containers) {
        expect(each.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    }
  });

  it('commits no secret: Secrets are referenced by name, never defined here', () => {
    expect(resources.filter((resource) => resource.kind === 'Secret')).toEqual([]);
    expect(Object.keys(settings).filter((key) => /SECRET|PASSWORD|TOKEN|_KEYS$|API_KEY|AUDIT_URL|SMTP_URL/.test(key))).toEqual([]);
  });
});
