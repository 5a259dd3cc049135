'use strict';
/**
 * Local Serverless plugin: declares the `nats` function event (so `osls` validates it
 * with configValidationMode: error) and, under serverless-offline, runs the NATS consumer
 * shims and schedules from the compiled runtime (`npm run build` first).
 */
const path = require('node:path');

const NATS_EVENT_SCHEMA = {
  type: 'object',
  properties: {
    stream: { type: 'string' },
    subject: { type: 'string' },
    durable: { type: 'string' },
    perNode: { type: 'boolean' },
    concurrency: { type: 'integer', minimum: 1 },
    maxAttempts: { type: 'integer', minimum: 1 },
    backoff: { type: 'array', items: { type: 'number', minimum: 0 } },
    ackWait: { type: 'integer', minimum: 1 },
  },
  required: ['stream', 'subject', 'durable'],
  additionalProperties: false,
};

class ServerlessNats {
  constructor(serverless) {
    this.serverless = serverless;
    serverless.configSchemaHandler.defineFunctionEvent('aws', 'nats', NATS_EVENT_SCHEMA);
    this.hooks = {
      'offline:start:init': () => this.start(),
      'offline:start:end': () => this.stop(),
    };
  }

  async start() {
    const service = this.serverless.service;
    // The shims run in this process: give them the same environment the handlers get.
    Object.assign(process.env, service.provider.environment || {}, { AUDIUS_NODE_NAME: 'offline' });
    if (process.env.AUDIUS_STEP_INVOKER === 'lambda') {
      // The cloud shape: the bridge (npm run bridge) invokes the functions on this process's
      // Lambda endpoint, as it would on AWS; nothing runs them in here.
      this.serverless.cli.log('NATS events are left to the bridge (AUDIUS_STEP_INVOKER=lambda)');
      return;
    }
    const runtime = require(path.join(service.serverless.serviceDir, 'dist/shared/runtime/offline.js'));
    this.stopWorkers = await runtime.startOfflineWorkers(service.functions);
    this.serverless.cli.log('NATS consumer shims started');
  }

  async stop() {
    if (this.stopWorkers) await this.stopWorkers();
  }
}

module.exports = ServerlessNats;
