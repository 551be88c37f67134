// Unit tests; workflow tests, each file on its own time-skipping test server; and integration tests
// that share one real Temporal dev server and one moto server started by the global setup (each on
// free ports, stopped at the end).
// Transpile only (tsconfig's isolatedModules): `npm run typecheck` type-checks, once, before the tests.
// To CommonJS, over tsconfig.json: Node16 output keeps a lazy `import()` (operations/ec2/sdk.ts),
// which jest's CommonJS runtime cannot run; CommonJS makes it a `require` of jest's own registry.
const tsJest = ['ts-jest', { tsconfig: { module: 'commonjs' } }];
// jose (bearer and Teams token checks), @noble (identity signatures), content-disposition (@fastify/static's,
// under the docs page) and oidc-provider (the identity provider of the token tests) ship only as ES modules: Node 20.19+
// requires them natively, jest's CommonJS runtime cannot, so their files are compiled to CommonJS for the tests.
const esmOnly = {
  transform: {
    '^.+\\.tsx?$': tsJest,
    '/node_modules/(jose|@noble/(curves|hashes)|content-disposition|oidc-provider|openid-client|oauth4webapi|preact|@fastify/cookie|cookie)/.+\\.m?js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(jose|@noble/curves|@noble/hashes|@fastify/static/node_modules/content-disposition|content-disposition|oidc-provider|openid-client|oauth4webapi|preact|@fastify/cookie|cookie)/)',
  ],
};

/** Build output, installed tools and dev state are not test code: jest's haste map need not crawl them. */
const notTestCode = { modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.tools/', '<rootDir>/.airlock/'] };

/** Fault tests: they kill and restart real processes and measure recovery against timeouts. */
// The gateway's restart test is one of them: in the parallel phase a loaded machine once kept its API
// process from reaching Temporal within the SDK's 10 s connect deadline (CI, 2026-12-04).
const SERIAL = [
  'test/integration/fault-recovery.test.ts',
  'test/integration/worker-crash.test.ts',
  'test/integration/mcp-gateway-restart.test.ts',
  'test/integration/temporal-late.test.ts',
];

/** @type {import('jest').Config} */
module.exports = {
  // Global, not per project (jest ignores it there): integration tests wait on real servers.
  testTimeout: 60000,
  // The tally reporter writes counts only where CI asks for them (AIRLOCK_TEST_TALLY).
  reporters: ['default', '<rootDir>/test/support/tally-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      ...esmOnly,
      ...notTestCode,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    // Workflow behaviour on Temporal's time-skipping test server, activities replaced: each file
    // starts its own server (no global setup), so these run beside unit and integration tests.
    {
      displayName: 'workflow',
      testEnvironment: 'node',
      ...esmOnly,
      ...notTestCode,
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
    },
    // Integration tests share one dev server, moto and PostgreSQL; each file has its own stack (task
    // queue, worker, API), so files run side by side (`npm test` uses three jest workers on 2 cores: the files mostly wait on the servers; 172 s against 231 s with two, measured 2026-12-04).
    {
      displayName: 'integration',
      testEnvironment: 'node',
      ...esmOnly,
      ...notTestCode,
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts', '<rootDir>/examples/**/*.test.ts'],
      testPathIgnorePatterns: SERIAL,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    // Real processes killed and restarted against heartbeat and admission timeouts: alone, in band.
    {
      displayName: 'integration-serial',
      testEnvironment: 'node',
      ...esmOnly,
      ...notTestCode,
      testMatch: SERIAL.map((file) => `<rootDir>/${file}`),
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    // Only for `npm run test:cluster`: needs the Temporal server built from its Go module (scripts/install-temporal-server.sh).
    ...(process.env.AIRLOCK_CLUSTER_TEST === '1'
      ? [
          {
            displayName: 'cluster',
            testEnvironment: 'node',
            ...esmOnly,
            ...notTestCode,
            testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
          },
        ]
      : []),
    // Only for `npm run record-histories`: writes test/replay/histories from a live run.
    ...(process.env.RECORD_HISTORIES === '1'
      ? [
          {
            displayName: 'record',
            testEnvironment: 'node',
            ...esmOnly,
            ...notTestCode,
            testMatch: ['<rootDir>/test/replay/record-histories.ts'],
            globalSetup: '<rootDir>/test/support/global-setup.ts',
            globalTeardown: '<rootDir>/test/support/global-teardown.ts',
          },
        ]
      : []),
  ],
};
