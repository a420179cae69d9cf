"""The benchmark workloads for CPython's asyncio and for uvloop, as Loopkit's harness runs them.

Each command prints RESULT lines (RESULT<TAB>workload<TAB>variant<TAB>metric<TAB>value), the
format of every peer; benchmarks/run.sh (dev.loopkit.benchmarks.Bench) starts one process per
workload and reads them.

    asyncio_peer.py [--uvloop] [--watcher threaded|pidfd] callbacks CHAIN UPFRONT THREADSAFE ROUNDS
    asyncio_peer.py [--uvloop] timers COUNT MAX_DELAY_MS WARMUP ROUNDS
    asyncio_peer.py [--uvloop] echo-server protocol|streams     (prints READY port; serves until stdin ends)
    asyncio_peer.py [--uvloop] tls-echo-server protocol|streams CERT_PEM KEY_PEM   (the same over TLS 1.3)
    asyncio_peer.py [--uvloop] udp-echo-server                   (UDP echo; prints READY port)
    asyncio_peer.py [--uvloop] sendfile-server FILE    (sends FILE to each connection with loop.sendfile, then closes it)
    asyncio_peer.py [--uvloop] [--watcher ...] spawn COUNT CONCURRENCY WARMUP [pipes]
    asyncio_peer.py [--uvloop] [--watcher ...] exit OTHERS ROUNDS WARMUP
    asyncio_peer.py [--uvloop] [--watcher ...] memory COUNT

--uvloop runs everything on uvloop (Debian's python3-uvloop for /usr/bin/python3); --watcher picks
asyncio's child watcher (3.8-3.11 default: threaded). Python 3.8+ on Linux.
"""

import asyncio
import os
import random
import statistics
import subprocess
import sys
import threading
import time

VARIANT = "asyncio"
WATCHER = None


def emit(workload, variant, metric, value):
    print("RESULT\t%s\t%s\t%s\t%.6g" % (workload, variant, metric, value), flush=True)


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(rank)]


def new_loop():
    if VARIANT.startswith("uvloop"):
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if WATCHER is not None and not VARIANT.startswith("uvloop"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            watcher = {"threaded": asyncio.ThreadedChildWatcher,
                       "pidfd": asyncio.PidfdChildWatcher}[WATCHER]()
            asyncio.set_child_watcher(watcher)
            watcher.attach_loop(loop)
    return loop


# ---- loop core ------------------------------------------------------------------------------------

def run_batch(loop, start):
    """Runs start(done) on the loop until it calls done(); returns the wall time in seconds."""
    finished = loop.create_future()

    def done():
        finished.set_result(None)

    t0 = time.perf_counter()
    loop.call_soon(start, done)
    loop.run_until_complete(finished)
    return time.perf_counter() - t0


def chain(loop, n):
    def start(done):
        left = [n]

        def step():
            left[0] -= 1
            if left[0] == 0:
                done()
            else:
                loop.call_soon(step)
        step()
    return start


def upfront(loop, n):
    def start(done):
        left = [n]

        def count():
            left[0] -= 1
            if left[0] == 0:
                done()
        for _ in range(n):
            loop.call_soon(count)
    return start


def futures(loop, n):
    def start(done):
        left = [n]

        def on_done(f):
            left[0] -= 1
            if left[0] == 0:
                done()
            else:
                nxt = loop.create_future()
                nxt.add_done_callback(on_done)
                nxt.set_result(left[0])
        first = loop.create_future()
        first.add_done_callback(on_done)
        first.set_result(n)
    return start


def threadsafe(loop, producers, total):
    def start(done):
        each = total // producers
        left = [each * producers]

        def count():
            left[0] -= 1
            if left[0] == 0:
                done()

        def produce():
            for _ in range(each):
                loop.call_soon_threadsafe(count)
        threads = [threading.Thread(target=produce, daemon=True) for _ in range(producers)]
        for t in threads:
            t.start()
    return start


def callbacks(chain_n, upfront_n, threadsafe_n, rounds):
    loop = new_loop()
    try:
        cases = [("chain", chain_n, lambda: chain(loop, chain_n)),
                 ("upfront", upfront_n, lambda: upfront(loop, upfront_n)),
                 ("futures", chain_n, lambda: futures(loop, chain_n)),
                 ("threadsafe1", threadsafe_n, lambda: threadsafe(loop, 1, threadsafe_n)),
                 ("threadsafe4", threadsafe_n, lambda: threadsafe(loop, 4, threadsafe_n))]
        for name, n, make in cases:
            run_batch(loop, make())  # warm-up
            times = [run_batch(loop, make()) for _ in range(rounds)]
            emit(name, VARIANT, "per_s", n / statistics.median(times))
    finally:
        loop.close()


def timers(count, max_delay_ms, warmup, rounds):
    rnd = random.Random(42)
    delays = [rnd.randint(0, max_delay_ms) / 1000.0 for _ in range(count)]
    loop = new_loop()
    lateness, walls, cpus = [], [], []
    try:
        for r in range(warmup + rounds):
            late = [0.0] * count
            result = {}

            def start(done):
                left = [count]
                t_cpu = time.thread_time()
                t0 = time.perf_counter()

                def fired(i, due):
                    now = time.perf_counter()
                    late[i] = now - due
                    left[0] -= 1
                    if left[0] == 0:
                        result["wall"] = now - t0
                        result["cpu"] = time.thread_time() - t_cpu
                        done()
                clock = time.perf_counter
                for i, d in enumerate(delays):
                    loop.call_later(d, fired, i, clock() + d)
            run_batch(loop, start)
            if r >= warmup:
                lateness.extend(late)
                walls.append(result["wall"])
                cpus.append(result["cpu"])
    finally:
        loop.close()
    lateness.sort()
    emit("timers", VARIANT, "wall_ms", statistics.median(walls) * 1e3)
    emit("timers", VARIANT, "cpu_ms", statistics.median(cpus) * 1e3)
    emit("timers", VARIANT, "late_p50_us", percentile(lateness, 50) * 1e6)
    emit("timers", VARIANT, "late_p99_us", percentile(lateness, 99) * 1e6)
    emit("timers", VARIANT, "late_max_us", lateness[-1] * 1e6)


# ---- TCP and TLS echo ---------------------------------------------------------------------------------

class EchoProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def echo_streams(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


def serve_until_stdin_ends(start):
    """Runs `await start(loop)` (which returns what serves and the port), prints READY port, serves
    until standard input ends (the harness's server protocol), then closes what start returned."""
    loop = new_loop()
    stop = loop.create_future()

    def on_stdin():
        if not os.read(sys.stdin.fileno(), 256) and not stop.done():
            stop.set_result(None)

    async def main():
        server, port = await start(loop)
        loop.add_reader(sys.stdin.fileno(), on_stdin)
        print("READY %d" % port, flush=True)
        await stop
        loop.remove_reader(sys.stdin.fileno())
        server.close()
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()


def echo_server(api, cert=None, key=None):
    """TCP echo; with CERT and KEY (PEM), TLS 1.3 through the ssl module."""
    context = None
    if cert is not None:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        context.load_cert_chain(cert, key)

    async def start(loop):
        if api == "protocol":
            server = await loop.create_server(EchoProtocol, "127.0.0.1", 0, backlog=100, ssl=context)
        else:
            server = await asyncio.start_server(echo_streams, "127.0.0.1", 0, backlog=100, ssl=context)
        return server, server.sockets[0].getsockname()[1]
    serve_until_stdin_ends(start)


# ---- UDP echo -------------------------------------------------------------------------------------

class EchoDatagramProtocol(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        self.transport.sendto(data, addr)


def udp_echo_server():
    async def start(loop):
        transport, _ = await loop.create_datagram_endpoint(EchoDatagramProtocol, local_addr=("127.0.0.1", 0))
        return transport, transport.get_extra_info("sockname")[1]
    serve_until_stdin_ends(start)


# ---- sendfile -------------------------------------------------------------------------------------

class SendfileProtocol(asyncio.Protocol):
    def __init__(self, path):
        self.path = path

    def connection_made(self, transport):
        asyncio.get_running_loop().create_task(self.send(transport))

    async def send(self, transport):
        try:
            with open(self.path, "rb") as f:
                await asyncio.get_running_loop().sendfile(transport, f)
        except ConnectionError:
            pass
        finally:
            transport.close()


def sendfile_server(path):
    """asyncio's loop.sendfile: os.sendfile on the selector loop's sockets. uvloop (0.17) does not
    implement it (AbstractEventLoop.sendfile raises NotImplementedError): said as UNSUPPORTED."""
    loop = new_loop()
    if type(loop).sendfile is asyncio.AbstractEventLoop.sendfile:
        loop.close()
        print("UNSUPPORTED %s has no loop.sendfile() (NotImplementedError)" % VARIANT, flush=True)
        return
    loop.close()

    async def start(loop):
        server = await loop.create_server(lambda: SendfileProtocol(path), "127.0.0.1", 0)
        return server, server.sockets[0].getsockname()[1]
    serve_until_stdin_ends(start)


# ---- child processes ------------------------------------------------------------------------------

NO_PIPES = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
THREE_PIPES = dict(stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def spawn(count, concurrency, warmup, pipes=None):
    """With "pipes": asyncio's default three pipes, and communicate() (stdout and stderr read to EOF) instead of wait()."""
    if pipes not in (None, "pipes"):
        raise SystemExit("spawn's last argument is 'pipes' or nothing, not " + pipes)
    loop = new_loop()

    async def batch(n):
        slots = asyncio.Semaphore(concurrency)

        async def one():
            async with slots:
                if pipes:
                    proc = await asyncio.create_subprocess_exec("/bin/true", **THREE_PIPES)
                    await proc.communicate()
                    code = proc.returncode
                else:
                    proc = await asyncio.create_subprocess_exec("/bin/true", **NO_PIPES)
                    code = await proc.wait()
                if code != 0:
                    raise RuntimeError("/bin/true exited %d" % code)
        await asyncio.gather(*(one() for _ in range(n)))

    try:
        if warmup:
            loop.run_until_complete(batch(warmup))
        t0 = time.perf_counter()
        loop.run_until_complete(batch(count))
        emit("spawn", VARIANT + ("/pipes" if pipes else ""), "per_s", count / (time.perf_counter() - t0))
    finally:
        loop.close()


class Child(asyncio.SubprocessProtocol):
    def __init__(self, loop):
        self.exited = loop.create_future()

    def process_exited(self):
        if not self.exited.done():
            self.exited.set_result(time.perf_counter_ns())


def exit_latency(others, rounds, warmup):
    loop = new_loop()

    async def start_child():
        transport, child = await loop.subprocess_exec(lambda: Child(loop), "/bin/sleep", "300", **NO_PIPES)
        return transport, child

    async def main():
        background = []
        latencies = []
        try:
            for _ in range(others):
                background.append(await start_child())
            for r in range(warmup + rounds):
                transport, child = await start_child()
                await asyncio.sleep(0.005 if r >= warmup else 0)  # warm-up rounds only warm the path
                t0 = time.perf_counter_ns()
                transport.kill()
                t1 = await child.exited
                transport.close()
                if r >= warmup:
                    latencies.append(t1 - t0)
        finally:
            for transport, _ in background:
                transport.kill()
            for transport, child in background:
                await child.exited
                transport.close()
        return latencies

    try:
        latencies = sorted(loop.run_until_complete(main()))
    finally:
        loop.close()
    variant = "%s/N=%d" % (VARIANT, others)
    emit("exit", variant, "p50_us", percentile(latencies, 50) / 1e3)
    emit("exit", variant, "p99_us", percentile(latencies, 99) / 1e3)
    emit("exit", variant, "mean_us", statistics.mean(latencies) / 1e3)


def status_fields():
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = value.split()
    return int(fields["VmRSS"][0]), int(fields["Threads"][0])


def memory(count):
    """COUNT live /bin/sleep children: how much the resident set and the thread count grow."""
    loop = new_loop()

    async def main():
        rss0, threads0 = status_fields()
        children = []
        try:
            for _ in range(count):
                children.append(await loop.subprocess_exec(lambda: Child(loop), "/bin/sleep", "300", **NO_PIPES))
            await asyncio.sleep(0.5)
            rss1, threads1 = status_fields()
        finally:
            for transport, _ in children:
                transport.kill()
            for transport, child in children:
                await child.exited
                transport.close()
        return rss1 - rss0, threads1 - threads0

    try:
        rss, threads = loop.run_until_complete(main())
    finally:
        loop.close()
    variant = "%s/%d" % (VARIANT, count)
    emit("memory", variant, "rss_delta_mib", rss / 1024.0)
    emit("memory", variant, "threads_delta", threads)


def main(argv):
    global VARIANT, WATCHER
    args = list(argv)
    while args and args[0].startswith("--"):
        flag = args.pop(0)
        if flag == "--uvloop":
            VARIANT = "uvloop"
        elif flag == "--watcher":
            WATCHER = args.pop(0)
            VARIANT = "asyncio-" + WATCHER
        else:
            raise SystemExit("unknown flag " + flag)
    if not args:
        raise SystemExit(__doc__)
    command, rest = args[0], [a for a in args[1:]]
    if command == "callbacks":
        callbacks(*map(int, rest))
    elif command == "timers":
        timers(*map(int, rest))
    elif command == "echo-server":
        echo_server(rest[0])
    elif command == "tls-echo-server":
        echo_server(*rest[:3])
    elif command == "udp-echo-server":
        udp_echo_server()
    elif command == "sendfile-server":
        sendfile_server(rest[0])
    elif command == "spawn":
        spawn(*map(int, rest[:3]), *rest[3:])
    elif command == "exit":
        exit_latency(*map(int, rest))
    elif command == "memory":
        memory(int(rest[0]))
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv[1:])
