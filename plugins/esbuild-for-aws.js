'use strict';
/**
 * serverless-esbuild for packaging and deploying only. Under `osls offline` it stays out: the
 * dev loop runs the compiled dist/ tree at once, where serverless-esbuild would first bundle
 * every function and install sharp (minutes on a busy machine). `npm run package:aws` and
 * `osls deploy` get the bundles.
 */
const ServerlessEsbuild = require('serverless-esbuild');

class EsbuildForAws {
  constructor(serverless, options, logging) {
    const command = (serverless.processedInput && serverless.processedInput.commands) || [];
    if (command[0] === 'offline') {
      this.hooks = {};
      return;
    }
    const plugin = new ServerlessEsbuild(serverless, options, logging);
    this.hooks = plugin.hooks;
  }
}

module.exports = EsbuildForAws;
