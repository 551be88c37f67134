/** Seeding moto for tests: the same code `npm start` uses for its demo data. */
export { seedAws, executorPermissionsPolicy, executorTrustPolicy, type SeedSpec } from '../../scripts/lib/seed-demo-aws';
