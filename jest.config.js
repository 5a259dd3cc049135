/** Tests run the TypeScript sources through swc (no type check here: `npm run lint` runs tsc). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
    // cookie@2 (under fastify's light-my-request) ships ESM only; Node 20 loads it with
    // require(esm), jest's module loader does not.
    '^.+/node_modules/cookie/.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
  testTimeout: 60000,
  // Integration tests start real nats-server and node processes: two cores, so keep workers low.
  maxWorkers: 2,
};
