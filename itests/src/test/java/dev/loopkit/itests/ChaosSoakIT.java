package dev.loopkit.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.streamBundle;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.Server;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.Transport;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.itests.bundles.TestBundles;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.posix.Posix;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.SimpleFormatter;
import javax.inject.Inject;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Everything at once, for a bounded time ({@code -Dsoak.seconds=N}, 40 by default): children that
 * exit with random codes or die of random signals; watcher bundles and the selector loop bundle
 * stopped and started at random; {@code callSoonThreadsafe} storms from four threads into a loop that
 * the stopping selector bundle shuts down under them; TCP connections opened and reset; signals
 * sent to the JVM. At the end: every exit delivered once with its code, every accepted callback ran
 * or was reported, no zombie, threads and descriptors as before.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ChaosSoakIT {

    private static final String[] SIGNALS = {"SIGTERM", "SIGKILL", "SIGINT", "SIGHUP", "SIGUSR2"};
    private static final int IN_FLIGHT = 20;
    private static final int PRODUCERS = 4;

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return LoopkitOptions.distribution(streamBundle(TestBundles.testingSupport()));
    }

    @Before
    public void platformIsUp() {
        Await.platformUp();
    }

    @Test
    public void nothingIsLostNothingHangsNothingLeaks() throws Exception {
        long seconds = Long.getLong("soak.seconds", 40);
        long seed = Long.getLong("soak.seed", System.nanoTime());
        System.out.println("ChaosSoakIT seed " + seed + ", " + seconds + " s");
        List<String> threadsBefore = Leaks.threads("loopkit-").stream().filter(n -> !n.startsWith("loopkit-waitpid-")).toList();
        Map<Integer, String> fdsBefore = Leaks.openFds();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try (LogCapture log = LogCapture.of("dev.loopkit")) {
            soak(seconds, seed, deadline, log);
        }
        platformIsUp();
        Await.until("the same loopkit threads as before", () -> Leaks.threads("loopkit-").stream()
                .filter(n -> !n.startsWith("loopkit-waitpid-")).toList(), threadsBefore);
        Await.until("no more descriptors of any kind than before", () -> FdKinds.grown(fdsBefore), Map.of());
    }

    private void soak(long seconds, long seed, long deadline, LogCapture log) throws Exception {
        // the proactor loop bundle stays: the children's loop and the connections live there
        EventLoop home = ProcessWide.get().loopFactories().find("proactor").orElseThrow().service().newEventLoop();
        Thread homeThread = new Thread(home::runForever, "soak-home");
        Children children = new Children(home, new Random(seed), deadline);
        Connections connections = new Connections(home, deadline);
        AtomicInteger signalsHandled = new AtomicInteger();
        home.addSignalHandler(Posix.signal("SIGUSR1"), signalsHandled::incrementAndGet);
        home.callSoon(children::start);
        home.callSoon(connections::start);
        homeThread.start();

        Storm storm = new Storm(deadline);
        List<Thread> actors = new ArrayList<>(storm.threads());
        actors.add(cycler("soak-watchers", new Random(seed + 1), deadline, 50, 300, Bundles.WATCHERS));
        actors.add(cycler("soak-loops", new Random(seed + 2), deadline, 300, 2_000, List.of("dev.loopkit.loop.selector")));
        actors.add(signaller(deadline));
        actors.forEach(Thread::start);
        for (Thread actor : actors) {
            actor.join(TimeUnit.SECONDS.toMillis(seconds + 60));
            assertTrue(actor.getName() + " ended", !actor.isAlive());
        }
        storm.finish();

        try {
            try {
                children.allDone.get(60, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("not every child's exit arrived: " + children.spawning + " spawns not answered; "
                        + RecordingChild.whereAre(children.spawnedChildren) + "\n" + warnings(log));
            }
            try {
                connections.allDone.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the connections did not finish: " + connections + "\n" + warnings(log));
            }
        } finally {
            home.callSoonThreadsafe(home::stop);
            homeThread.join(10_000);
            home.close();
        }

        children.assertEveryExitOnceWithItsCode();
        assertEquals("no child left waiting for a watcher", Map.of(), ProcessWide.get().watcherSwitch().orphans());
        storm.assertEveryAcceptedCallbackRanOrWasReported();
        connections.assertEveryConnectionLostOnce();
        assertTrue("SIGUSR1 reached the loop", signalsHandled.get() > 0);
        for (Thread actor : actors) {
            assertEquals(actor.getName() + " failed", null, failures.get(actor.getName()));
        }
        System.out.printf("ChaosSoakIT: %d s, %d children (%d killed by signals), %d watcher and %d loop bundle restarts,"
                + " %d callbacks accepted by %d loops (%d ran, %d reported, %d refused once closed), %d connections reset,"
                + " %d SIGUSR1 handled%n", seconds, children.spawned.get(), children.signalled.get(), restarts.get("soak-watchers"),
                restarts.get("soak-loops"), storm.accepted.get(), storm.targets.size(), storm.ran.get(), storm.reported.get(), storm.refused.get(),
                connections.made.get(), signalsHandled.get());
    }

    private static String warnings(LogCapture log) {
        return String.join("\n", log.records().stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(r -> r.getLevel() + " " + new SimpleFormatter().formatMessage(r)).distinct().limit(50).toList());
    }

    private final Map<String, Throwable> failures = new ConcurrentHashMap<>();
    private final Map<String, Integer> restarts = new ConcurrentHashMap<>();

    /** Stops a random one of {@code bundles}, waits, starts it again, until the deadline. */
    private Thread cycler(String name, Random random, long deadline, int minMillis, int maxMillis, List<String> bundles) {
        restarts.put(name, 0);
        return new Thread(() -> {
            try {
                while (System.nanoTime() < deadline) {
                    Bundle bundle = Bundles.named(context, bundles.get(random.nextInt(bundles.size())));
                    Thread.sleep(minMillis + random.nextInt(maxMillis - minMillis));
                    bundle.stop();
                    Thread.sleep(random.nextInt(minMillis));
                    bundle.start();
                    restarts.merge(name, 1, Integer::sum);
                }
            } catch (Exception | AssertionError e) {
                failures.put(name, e);
            }
        }, name);
    }

    /** Sends SIGUSR1, which a loop handles, and SIGWINCH, which the JVM ignores, to this process. */
    private Thread signaller(long deadline) {
        return new Thread(() -> {
            try {
                Posix posix = Posix.get();
                while (System.nanoTime() < deadline) {
                    posix.kill(posix.getpid(), Posix.signal("SIGUSR1"));
                    posix.kill(posix.getpid(), Posix.signal("SIGWINCH"));
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                failures.put("soak-signals", e);
            }
        }, "soak-signals");
    }

    /** Children that exit with a random code or die of a random signal, {@value #IN_FLIGHT} at a time. */
    private static final class Children {
        final EventLoop loop;
        final Random random;
        final long deadline;
        /** Not a map by pid: with pid_max at 32768 a pid can come back within the run (HotSwapIT lost children so). */
        final Queue<Map.Entry<Long, RecordingChild>> spawnedChildren = new ConcurrentLinkedQueue<>();
        final AtomicInteger spawned = new AtomicInteger();
        final AtomicInteger signalled = new AtomicInteger();
        final CompletableFuture<Void> allDone = new CompletableFuture<>();
        final AtomicInteger spawning = new AtomicInteger();
        int running; // loop thread only

        Children(EventLoop loop, Random random, long deadline) {
            this.loop = loop;
            this.random = random;
            this.deadline = deadline;
        }

        void start() {
            for (int i = 0; i < IN_FLIGHT; i++) {
                spawn();
            }
        }

        private void spawn() {
            if (System.nanoTime() > deadline) {
                if (running == 0) {
                    allDone.complete(null);
                }
                return;
            }
            running++;
            RecordingChild child;
            String script;
            if (random.nextInt(4) == 0) {
                String signal = SIGNALS[random.nextInt(SIGNALS.length)];
                child = new RecordingChild(-Posix.signal(signal));
                script = "sleep 0.0" + random.nextInt(5) + "; kill -" + signal.substring(3) + " $$";
            } else {
                child = new RecordingChild(random.nextInt(256));
                script = "sleep 0.0" + random.nextInt(5) + "; exit " + child.expected;
            }
            SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                    .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
            spawning.incrementAndGet();
            loop.subprocessExec(() -> child, List.of("/bin/sh", "-c", script), quiet).whenComplete((transport, error) -> {
                spawning.decrementAndGet();
                if (error != null) {
                    running--;
                    if (!RecordingChild.refusedForWantOfAWatcher(error)) {
                        allDone.completeExceptionally(error);
                        return;
                    }
                    loop.callLater(0.005, this::spawn); // nothing was spawned: try again
                    return;
                }
                spawned.incrementAndGet();
                if (child.expected < 0) {
                    signalled.incrementAndGet();
                }
                spawnedChildren.add(Map.entry(transport.getPid(), child));
                child.exited.whenComplete((code, e) -> {
                    running--;
                    spawn();
                });
            });
        }

        void assertEveryExitOnceWithItsCode() throws Exception {
            for (Map.Entry<Long, RecordingChild> entry : spawnedChildren) {
                long pid = entry.getKey();
                RecordingChild child = entry.getValue();
                assertEquals("pid " + pid, Integer.valueOf(child.expected), child.exited.getNow(null));
                assertEquals("pid " + pid + " exits reported", 1, child.exits.get());
                assertTrue("pid " + pid + " reaped", !isOurZombie(pid));
            }
        }
    }

    /**
     * {@value #PRODUCERS} threads calling {@code callSoonThreadsafe} on a selector loop that the
     * stopping selector bundle shuts down under them; a new target follows each shutdown.
     */
    private static final class Storm {
        final long deadline;
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong ran = new AtomicLong();
        final AtomicLong reported = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicReference<Target> target = new AtomicReference<>();
        final List<Target> targets = new ArrayList<>();

        Storm(long deadline) {
            this.deadline = deadline;
        }

        List<Thread> threads() {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < PRODUCERS; i++) {
                threads.add(new Thread(this::produce, "soak-storm-" + i));
            }
            return threads;
        }

        private void produce() {
            Runnable count = ran::incrementAndGet;
            while (System.nanoTime() < deadline) {
                Target current = currentTarget();
                if (current == null) {
                    Thread.onSpinWait();
                    continue;
                }
                for (int i = 0; i < 100; i++) {
                    try {
                        current.loop.callSoonThreadsafe(count);
                        accepted.incrementAndGet();
                    } catch (IllegalStateException closed) {
                        refused.incrementAndGet();
                        break;
                    }
                }
                // bursts, not a flood: the children and connections need the two cores too
                LockSupport.parkNanos(100_000);
            }
        }

        // A running selector loop, made anew once the bundle shut the last one down.
        private synchronized Target currentTarget() {
            Target current = target.get();
            if (current != null && !current.loop.isClosed()) {
                return current;
            }
            Optional<EventLoop> made;
            try {
                made = ProcessWide.get().loopFactories().find("selector").map(e -> e.service().newEventLoop());
            } catch (IllegalStateException stopping) {
                return null;
            }
            if (made.isEmpty()) {
                return null;
            }
            Target next = new Target(made.get(), reported);
            targets.add(next);
            target.set(next);
            return next;
        }

        /** Lets the last target run what it accepted, then closes it: nothing may be pending then. */
        synchronized void finish() throws InterruptedException {
            Target last = target.get();
            if (last != null && !last.loop.isClosed()) {
                try {
                    last.loop.callSoonThreadsafe(last.loop::stop);
                } catch (IllegalStateException closedMeanwhile) {
                    // the bundle shut it down: it reported what was pending
                }
            }
            for (Target each : targets) {
                each.thread.join(30_000);
                assertTrue(each.thread.getName() + " ended", !each.thread.isAlive());
                if (!each.loop.isClosed()) {
                    each.loop.close();
                }
            }
        }

        void assertEveryAcceptedCallbackRanOrWasReported() {
            assertEquals("accepted callbacks (ran " + ran.get() + ", reported " + reported.get() + ")",
                    accepted.get(), ran.get() + reported.get());
        }
    }

    /** A loop that runs on a thread of its own and counts the callbacks reported as dropped. */
    private static final class Target {
        final EventLoop loop;
        final Thread thread;

        Target(EventLoop loop, AtomicLong reported) {
            this.loop = loop;
            loop.setExceptionHandler((l, context) -> {
                if (String.valueOf(context.get("message")).startsWith("Event loop closed before the callback ran")) {
                    reported.incrementAndGet();
                } else {
                    l.defaultExceptionHandler(context);
                }
            });
            thread = new Thread(loop::runForever, "soak-target");
            thread.start();
        }
    }

    /** Clients that connect to a server of the same loop, write, and reset the connection. */
    private static final class Connections {
        final EventLoop loop;
        final long deadline;
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger lost = new AtomicInteger();
        final AtomicInteger connecting = new AtomicInteger();
        final AtomicInteger connected = new AtomicInteger();
        final AtomicInteger lostTwice = new AtomicInteger();
        final CompletableFuture<Void> allDone = new CompletableFuture<>();
        Server server;

        Connections(EventLoop loop, long deadline) {
            this.loop = loop;
            this.deadline = deadline;
        }

        void start() {
            loop.createServer(ServerSide::new, "127.0.0.1", 0).whenComplete((started, error) -> {
                if (error != null) {
                    allDone.completeExceptionally(error);
                    return;
                }
                server = started;
                next();
            });
        }

        private void next() {
            try {
                connectWriteReset();
            } catch (IOException | RuntimeException e) {
                allDone.completeExceptionally(e);
            }
        }

        private void connectWriteReset() throws IOException {
            if (System.nanoTime() > deadline) {
                server.close();
                loop.callLater(0.5, () -> allDone.complete(null));
                return;
            }
            int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
            connecting.incrementAndGet();
            loop.createConnection(() -> new Protocol() { }, "127.0.0.1", port).whenComplete((connection, error) -> {
                connected.incrementAndGet();
                if (error != null) {
                    allDone.completeExceptionally(error);
                    return;
                }
                Transport transport = connection.transport();
                transport.write(ByteBuffer.wrap(new byte[100]));
                loop.callLater(0.001, () -> {
                    transport.abort();
                    loop.callLater(0.005, this::next);
                });
            });
        }

        @Override
        public String toString() {
            return connecting + " connects asked, " + connected + " answered, " + made + " accepted, " + lost + " lost";
        }

        void assertEveryConnectionLostOnce() {
            assertEquals("connections lost twice", 0, lostTwice.get());
            Await.until("every server-side connection lost", lost::get, made.get());
        }

        private final class ServerSide implements Protocol {
            private boolean gone;

            @Override
            public void connectionMade(Transport transport) {
                made.incrementAndGet();
            }

            @Override
            public void connectionLost(Exception exc) {
                if (gone) {
                    lostTwice.incrementAndGet();
                }
                gone = true;
                lost.incrementAndGet();
            }
        }
    }

    /** Whether {@code pid} is a zombie child of this JVM: exited, and nobody reaped it. */
    private static boolean isOurZombie(long pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        String text;
        try {
            text = Files.readString(stat);
        } catch (java.io.IOException gone) {
            return false;
        }
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return fields[0].equals("Z") && Long.parseLong(fields[1]) == ProcessHandle.current().pid();
    }
}
