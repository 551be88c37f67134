// Docker HEALTHCHECK for both commands of the Airlock image. It probes the process the container
// runs (PID 1, or the one docker-init starts): the API's GET /healthz, or the worker's
// GET /metrics, since the worker serves no other HTTP. Plain JS: it runs from the image as is.
'use strict';
const { readFileSync } = require('node:fs');

const env = process.env;
const isWorker = readFileSync('/proc/1/cmdline', 'utf8').includes('workers/main.js');
// AIRLOCK_WORKER_METRICS_PORT=0 turns the worker's endpoint off: then there is nothing to probe.
if (isWorker && env.AIRLOCK_WORKER_METRICS_PORT === '0') process.exit(0);

const target = isWorker
  ? `http://127.0.0.1:${env.AIRLOCK_WORKER_METRICS_PORT || '9464'}/metrics`
  : `http://127.0.0.1:${env.AIRLOCK_API_PORT || '8080'}/healthz`;
// With AIRLOCK_METRICS_TOKEN set, /metrics answers 401 to a request without it.
const headers = isWorker && env.AIRLOCK_METRICS_TOKEN ? { authorization: `Bearer ${env.AIRLOCK_METRICS_TOKEN}` } : {};

fetch(target, { headers, signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
