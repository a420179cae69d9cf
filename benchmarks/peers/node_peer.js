'use strict';
// The benchmark workloads for Node (setImmediate, Promises, worker_threads, timers, net,
// child_process), as Loopkit's harness runs them. Each command prints RESULT lines
// (RESULT<TAB>workload<TAB>variant<TAB>metric<TAB>value), the format of every peer.
//
//   node node_peer.js callbacks CHAIN UPFRONT THREADSAFE ROUNDS
//   node node_peer.js timers COUNT MAX_DELAY_MS WARMUP ROUNDS
//   node node_peer.js echo-server            (prints READY port; serves until stdin ends)
//   node node_peer.js spawn COUNT CONCURRENCY WARMUP
//   node node_peer.js exit OTHERS ROUNDS WARMUP
//   node node_peer.js memory COUNT

const { performance } = require('perf_hooks');
const VARIANT = 'node';

function emit(workload, variant, metric, value) {
  process.stdout.write(`RESULT\t${workload}\t${variant}\t${metric}\t${Number(value).toPrecision(6)}\n`);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.max(0, Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1));
  return sorted[rank];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

// A seeded generator (mulberry32), so that every run gets the same delays.
function seeded(seed) {
  return () => {
    seed |= 0; seed = seed + 0x6D2B79F5 | 0;
    let t = Math.imul(seed ^ seed >>> 15, 1 | seed);
    t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}

// ---- loop core -------------------------------------------------------------------------------------

function batch(start) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    setImmediate(() => start(() => resolve((performance.now() - t0) / 1e3)));
  });
}

// setImmediate scheduled by a setImmediate callback runs in the next turn of the loop, as asyncio's call_soon.
const chain = (n) => (done) => {
  let left = n;
  const step = () => { if (--left === 0) done(); else setImmediate(step); };
  step();
};

const upfront = (n) => (done) => {
  let left = n;
  const count = () => { if (--left === 0) done(); };
  for (let i = 0; i < n; i++) setImmediate(count);
};

// Promise chain: each reaction completes the next promise (microtasks, Node's futures).
const futures = (n) => (done) => {
  let left = n;
  const onDone = () => {
    if (--left === 0) { done(); return; }
    Promise.resolve(left).then(onDone);
  };
  Promise.resolve(n).then(onDone);
};

// Node's cross-thread hand-off: worker threads posting messages to the main thread.
function threadsafe(producers, total) {
  const { Worker } = require('worker_threads');
  const each = Math.floor(total / producers);
  const source = `const { parentPort, workerData } = require('worker_threads');
    parentPort.once('message', () => { for (let i = 0; i < workerData; i++) parentPort.postMessage(i); });`;
  const workers = [];
  for (let p = 0; p < producers; p++) workers.push(new Worker(source, { eval: true, workerData: each }));
  const start = (done) => {
    let left = each * producers;
    const count = () => {
      if (--left === 0) {
        for (const w of workers) w.removeListener('message', count);
        done();
      }
    };
    for (const w of workers) { w.on('message', count); w.postMessage('go'); }
  };
  start.close = () => Promise.all(workers.map((w) => w.terminate()));
  return start;
}

async function callbacks(chainN, upfrontN, threadsafeN, rounds) {
  const cases = [
    ['chain', chainN, () => chain(chainN)],
    ['upfront', upfrontN, () => upfront(upfrontN)],
    ['futures', chainN, () => futures(chainN)],
    ['threadsafe1', threadsafeN, () => threadsafe(1, threadsafeN)],
    ['threadsafe4', threadsafeN, () => threadsafe(4, threadsafeN)],
  ];
  for (const [name, n, make] of cases) {
    let start = make();
    await batch(start);
    if (start.close) { await start.close(); }
    const times = [];
    for (let r = 0; r < rounds; r++) {
      start = make();
      times.push(await batch(start));
      if (start.close) { await start.close(); }
    }
    emit(name, VARIANT, 'per_s', n / median(times));
  }
}

async function timers(count, maxDelayMs, warmup, rounds) {
  const random = seeded(42);
  const delays = Array.from({ length: count }, () => Math.floor(random() * (maxDelayMs + 1)));
  const lateness = [];
  const walls = [];
  const cpus = [];
  for (let r = 0; r < warmup + rounds; r++) {
    const late = new Float64Array(count);
    const result = {};
    await batch((done) => {
      let left = count;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        const due = performance.now() + delays[i];
        setTimeout(() => {
          const now = performance.now();
          late[i] = now - due;
          if (--left === 0) {
            const cpu = process.cpuUsage(cpu0);
            result.wall = now - t0;
            result.cpu = (cpu.user + cpu.system) / 1e3;
            done();
          }
        }, delays[i]);
      }
    });
    if (r >= warmup) {
      for (const value of late) lateness.push(value);
      walls.push(result.wall);
      cpus.push(result.cpu);
    }
  }
  lateness.sort((a, b) => a - b);
  emit('timers', VARIANT, 'wall_ms', median(walls));
  emit('timers', VARIANT, 'cpu_ms', median(cpus));
  emit('timers', VARIANT, 'late_p50_us', percentile(lateness, 50) * 1e3);
  emit('timers', VARIANT, 'late_p99_us', percentile(lateness, 99) * 1e3);
  emit('timers', VARIANT, 'late_max_us', lateness[lateness.length - 1] * 1e3);
}

// ---- TCP echo --------------------------------------------------------------------------------------

function echoServer() {
  const net = require('net');
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.setNoDelay(true);
    socket.on('data', (data) => socket.write(data));
    socket.on('error', () => socket.destroy());
  });
  server.listen({ host: '127.0.0.1', port: 0, backlog: 100 }, () => {
    process.stdout.write(`READY ${server.address().port}\n`);
  });
  process.stdin.on('data', () => {});
  process.stdin.on('end', () => process.exit(0));
}

// ---- child processes ---------------------------------------------------------------------------------

const NO_PIPES = { stdio: ['ignore', 'ignore', 'ignore'] };

function spawnBatch(n, concurrency) {
  const { spawn } = require('child_process');
  return new Promise((resolve, reject) => {
    let started = 0;
    let finished = 0;
    const startOne = () => {
      started++;
      const child = spawn('/bin/true', [], NO_PIPES);
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) { reject(new Error(`/bin/true exited ${code}`)); return; }
        if (++finished === n) resolve();
        else if (started < n) startOne();
      });
    };
    for (let i = 0; i < Math.min(concurrency, n); i++) startOne();
  });
}

async function spawnThroughput(count, concurrency, warmup) {
  if (warmup > 0) await spawnBatch(warmup, concurrency);
  const t0 = performance.now();
  await spawnBatch(count, concurrency);
  emit('spawn', VARIANT, 'per_s', count / ((performance.now() - t0) / 1e3));
}

async function exitLatency(others, rounds, warmup) {
  const { spawn } = require('child_process');
  const sleeper = () => {
    const child = spawn('/bin/sleep', ['300'], NO_PIPES);
    child.exited = new Promise((resolve) => child.on('exit', () => resolve(performance.now())));
    return child;
  };
  const background = [];
  const latencies = [];
  try {
    for (let i = 0; i < others; i++) background.push(sleeper());
    for (let r = 0; r < warmup + rounds; r++) {
      const child = sleeper();
      // Warm-up rounds do not idle: they only warm the path (V8's JIT), as for every peer.
      await new Promise((resolve) => (r >= warmup ? setTimeout(resolve, 5) : setImmediate(resolve)));
      const t0 = performance.now();
      child.kill('SIGKILL');
      const t1 = await child.exited;
      if (r >= warmup) latencies.push((t1 - t0) * 1e3);
    }
  } finally {
    for (const child of background) child.kill('SIGKILL');
    await Promise.all(background.map((child) => child.exited));
  }
  latencies.sort((a, b) => a - b);
  const variant = `${VARIANT}/N=${others}`;
  emit('exit', variant, 'p50_us', percentile(latencies, 50));
  emit('exit', variant, 'p99_us', percentile(latencies, 99));
  emit('exit', variant, 'mean_us', latencies.reduce((a, b) => a + b, 0) / latencies.length);
}

function statusFields() {
  const fields = {};
  for (const line of require('fs').readFileSync('/proc/self/status', 'utf8').split('\n')) {
    const [name, value] = line.split(':');
    if (value) fields[name] = value.trim().split(/\s+/);
  }
  return { rss: Number(fields.VmRSS[0]), threads: Number(fields.Threads[0]) };
}

// COUNT live /bin/sleep children: how much the resident set and the thread count grow.
async function memory(count) {
  const { spawn } = require('child_process');
  const before = statusFields();
  const children = [];
  let after;
  try {
    for (let i = 0; i < count; i++) {
      const child = spawn('/bin/sleep', ['300'], NO_PIPES);
      child.exited = new Promise((resolve) => child.on('exit', resolve));
      children.push(child);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    after = statusFields();
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((child) => child.exited));
  }
  emit('memory', `${VARIANT}/${count}`, 'rss_delta_mib', (after.rss - before.rss) / 1024);
  emit('memory', `${VARIANT}/${count}`, 'threads_delta', after.threads - before.threads);
}

async function main(args) {
  const [command, ...rest] = args;
  const n = rest.map(Number);
  switch (command) {
    case 'callbacks': await callbacks(...n); break;
    case 'timers': await timers(...n); break;
    case 'echo-server': echoServer(); return;
    case 'spawn': await spawnThroughput(...n); break;
    case 'exit': await exitLatency(...n); break;
    case 'memory': await memory(...n); break;
    default: throw new Error(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((error) => { console.error(error); process.exit(1); });
