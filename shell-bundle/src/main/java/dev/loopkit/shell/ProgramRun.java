package dev.loopkit.shell;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopFactory;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.api.spi.LoopkitName;
import dev.loopkit.runtime.RankedRegistry.Entry;
import dev.loopkit.runtime.ProcessWide;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * {@code loop:run}: one program on a new loop of the process-wide policy, as {@code asyncio.run}
 * would run it, its output copied to the shell as it comes. The shell has no stdin to give it: the
 * child reads {@code /dev/null}.
 *
 * <p>The command owns the child it started, and never leaves it behind, running or a zombie:
 * <ul>
 * <li>Ctrl-C (SIGINT) while it runs goes to the child, as a shell's Ctrl-C goes to its foreground
 * job, and a second Ctrl-C kills it; the run then ends as usual, with the line that says how the
 * child ended.</li>
 * <li>Interrupting the command's thread (a shell that interrupts its job) does the same.</li>
 * <li>When the platform begins to stop ({@link PlatformStop}: SIGTERM to the JVM, a framework stop),
 * the child is killed before any bundle stops, and the stop waits until its watcher has reported its
 * exit and the run has said so.</li>
 * <li>When the loop is closed under the run (its bundle stopped), the child is killed all the same
 * (asyncio's {@code SubprocessTransport.close()} kills a running child) and the command waits, on a
 * loop of its own, for the watcher to reap it.</li>
 * </ul>
 */
final class ProgramRun implements SubprocessProtocol {

    // A process group of its own: the terminal's Ctrl-C reaches the JVM alone, and the run passes it on
    // (see onSigint); with the child in the terminal's group, the child could die of it and the run end
    // before the JVM's handler ran, which then interrupted the shell's next line.
    private static final SubprocessOptions OPTIONS = SubprocessOptions.defaults().withStdin(SubprocessOptions.Redirect.DEVNULL)
            .withNewProcessGroup(true);
    // The numbers POSIX fixes on every system (unlike SIGCHLD's, which come from Posix): the shell
    // bundle needs no native access for them.
    private static final int SIGINT = 2;
    private static final int SIGKILL = 9;
    /** How long a run waits for an inactive child watcher to become active (a main loop being replaced). */
    private static final long ACTIVATION_WAIT_SECONDS = 5;
    /** How long a run whose loop was closed waits for the watcher to report the killed child's exit. */
    private static final long REAP_WAIT_SECONDS = 30;
    /** How long a platform stop waits for the run it ended: a killed child's exit takes milliseconds. */
    private static final long PLATFORM_STOP_WAIT_SECONDS = 10;

    private final List<String> argv;
    private final PrintStream out;
    private final PrintStream err;
    private final PlatformStop platformStop;
    /** Counted down when the run is over, for a platform stop that waits for it. */
    private final CountDownLatch over = new CountDownLatch(1);
    private volatile EventLoop loop;
    private volatile Thread runThread;
    /** Why the run was ended from outside, or {@code null}. */
    private volatile String endedBecause;
    private LoopFuture<Void> ended; // exited and both pipes closed; loop thread
    private boolean exited;
    private int pipesOpen = 2;
    private boolean endsMidLine; // the program's last output, on either stream, ended without a newline; loop thread
    private SubprocessTransport transport; // set on the loop's thread once spawned
    private int interrupts; // SIGINTs received during the run; loop thread
    private boolean threadInterrupted; // the run's thread was interrupted: put back once the run is over

    ProgramRun(List<String> argv, PrintStream out, PrintStream err, PlatformStop platformStop) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("loop:run needs a program: loop:run <program> [args...]");
        }
        for (int i = 0; i < argv.size(); i++) { // not indexOf(null): an immutable list throws for it
            if (argv.get(i) == null) {
                throw new IllegalArgumentException("loop:run got no value for argument " + i + " (an unset variable?): " + argv);
            }
        }
        this.argv = List.copyOf(argv);
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.platformStop = Objects.requireNonNull(platformStop, "platformStop");
    }

    String call() {
        EventLoopPolicy policy = Asyncio.getEventLoopPolicy();
        awaitActiveWatcher(policy);
        // Named before the spawn, as asyncio looks its watcher up once: after it the watcher's bundle may
        // have stopped, its child waiting in the orphanage for the next one, and a look-up then threw
        // with the program running and its transport never closed.
        String watcher = watcherName(policy);
        EventLoop loop = policy.newEventLoop();
        this.loop = loop;
        runThread = Thread.currentThread();
        PlatformStop.Registration stopping = null;
        try {
            stopping = platformStop.whenStopping(() -> endAndAwait("the platform is stopping"));
            ended = loop.createFuture();
            long start = System.nanoTime();
            handleSigint(loop);
            transport = spawn(loop);
            if (endedBecause != null) {
                transport.kill(); // came while it was being spawned
            } else if (interrupts > 0) {
                transport.sendSignal(signalForInterrupts()); // the same
            }
            String how = loop.getClass().getSimpleName();
            try {
                for (;;) {
                    try {
                        loop.runUntilComplete(ended);
                        break;
                    } catch (IllegalStateException stopped) {
                        if (loop.isClosed() && transport.getReturncode() == null) {
                            return orphaned(transport, start, watcher, how);
                        }
                        if (!interruptIsACtrlC()) {
                            throw stopped;
                        }
                        sigint();
                    }
                }
            } finally {
                transport.close();
            }
            String ending = endedBecause != null ? "; " + endedBecause + ": killed" : interrupts > 0 ? "; interrupted (SIGINT)" : "";
            // on a line of its own, where a script looks for it: after output that ended mid-line too
            return (endsMidLine ? System.lineSeparator() : "") + describe(transport.getPid(), transport.getReturncode(), start, watcher, how) + ending;
        } finally {
            loop.close();
            over.countDown();
            if (stopping != null) {
                stopping.close();
            }
            if (threadInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Whether the loop stopped because the run's thread was interrupted, which a shell that interrupts
     * its job on Ctrl-C does (Karaf's): then it is a Ctrl-C, whose first goes to the child and a second
     * kills it (the first killed the child, even one that traps SIGINT: an outside review), and the
     * status is put back once the run is over. Before the child's spawn too, where the stopped loop
     * failed the command and left the child running (RunInterruptedTest).
     */
    private boolean interruptIsACtrlC() {
        if (!Thread.interrupted()) {
            return false;
        }
        threadInterrupted = true;
        return true;
    }

    // On the platform's stopping thread, before any bundle stops: the child is killed on the loop's
    // thread (the transport is the loop's), its watcher reports the exit, and the run returns saying
    // why; the stop goes on once it has, or after PLATFORM_STOP_WAIT_SECONDS. A stop already under way
    // calls this on the run's own thread, which must not wait for itself.
    private void endAndAwait(String why) {
        endedBecause = why;
        try {
            loop.callSoonThreadsafe(() -> {
                if (transport != null) { // null: still spawning, and the spawn's caller kills it
                    transport.kill();
                    endIfDone(); // exited already, its output held by a background job
                }
            });
            if (Thread.currentThread() != runThread) {
                over.await(PLATFORM_STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (IllegalStateException loopClosed) {
            // the run is over
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // The platform makes a new main loop when the process-wide policy changes (at start-up too, when a
    // policy ranked above default registers after it), and the safe and fast watchers are inactive until
    // it runs. A command typed meanwhile waits for that, as long as the platform waits for its first main
    // loop; a watcher still inactive then fails the spawn in asyncio's words.
    private static void awaitActiveWatcher(EventLoopPolicy policy) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ACTIVATION_WAIT_SECONDS);
        try {
            while (!policy.getChildWatcher().isActive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException noWatcher) {
            // the spawn says so, in asyncio's words
        }
    }

    // A spawn fails with the OS's word for it ("No such file or directory: 'nosuchprog'"), which is
    // what the shell should print, not the checked exception's class wrapped around it.
    private SubprocessTransport spawn(EventLoop loop) {
        try {
            CompletionStage<SubprocessTransport> spawning = loop.subprocessExec(() -> this, argv, OPTIONS);
            for (;;) {
                try {
                    return loop.runUntilComplete(spawning);
                } catch (IllegalStateException stopped) {
                    if (loop.isClosed() || !interruptIsACtrlC()) {
                        throw stopped;
                    }
                    sigint(); // counted, for the child once it is there
                }
            }
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException(cause.getMessage(), cause);
        }
    }

    // Ctrl-C while the program runs is for the program, as a shell's is for its foreground job: the
    // first SIGINT is passed on to the child, a second one kills it. The loop's handler replaces the
    // shell's for the run (the loop's close restores it), so the shell does not also give up on the
    // command and print its prompt before the line that says how the child ended.
    private void handleSigint(EventLoop loop) {
        try {
            loop.addSignalHandler(SIGINT, this::sigint);
        } catch (IllegalStateException cannotBeCaught) {
            // the JVM keeps SIGINT (-Xrs): the shell's interruption still kills the child
        }
    }

    // A Ctrl-C, or an interrupt of the run's thread; the loop's thread, while it runs or between runs.
    private void sigint() {
        interrupts++;
        if (transport != null) {
            transport.sendSignal(signalForInterrupts());
            endIfDone(); // a second one: exited already, its output held by a background job
        }
    }

    // The first Ctrl-C is the child's, a second kills it.
    private int signalForInterrupts() {
        return interrupts == 1 ? SIGINT : SIGKILL;
    }

    // The loop was closed under the run (its bundle stopped): closing released the transport and
    // left the child running, registered with its watcher for a loop that will never hear of it.
    // The run waits for its end on a loop of its own, from the loop factory still installed: the
    // pidfd watcher watches from the registering thread's running loop, and the main loop may be
    // closing too at this moment (registered through the main loop instead, a run of
    // ProgramRunIT waited in vain for the exit).
    private String orphaned(SubprocessTransport transport, long start, String watcherName, String how) {
        long pid = transport.getPid();
        EventLoopFactory factory = ProcessWide.get().loopFactories().current();
        if (factory == null) {
            // Every loop bundle stopped (Karaf's feature uninstall stops them all): killed all the same, so
            // that it does not run on unowned; its watcher, or the next one, reaps it. Before, it ran on
            // and became a zombie nobody reaped (KarafLifecycleIT).
            transport.kill();
            throw new IllegalStateException("pid " + pid + ": its loop was closed: killed; no event loop is left to wait"
                    + " for its exit on (watcher " + watcherName + ", or the next one, reaps it)");
        }
        EventLoop waiting = factory.newEventLoop();
        try {
            LoopFuture<String> said = waiting.createFuture();
            waiting.callSoon(() -> {
                boolean held;
                try {
                    held = killAndWatchAgain(transport, returncode -> {
                        try {
                            waiting.callSoonThreadsafe(() -> setOnce(said, describe(pid, returncode, start, watcherName, how)
                                    + "; its loop was closed: killed"));
                        } catch (IllegalStateException closed) {
                            // the run gave up waiting; the child was reaped all the same
                        }
                    });
                } catch (RuntimeException noWatcherNow) {
                    // No current watcher for a moment (its bundle refreshing): killed all the same, as the
                    // README promises; the watcher that holds it, or the next one, reaps it. The kill came
                    // after the look-up, which threw, and the program ran on (an outside review).
                    transport.kill();
                    setOnce(said, String.format(Locale.ROOT, "pid %d: its loop was closed: killed; no watcher to wait"
                            + " for its exit with (%s): watcher %s, or the next one, reaps it", pid, noWatcherNow.getMessage(), watcherName));
                    return;
                }
                if (!held) {
                    setOnce(said, String.format(Locale.ROOT, "pid %d: exited as its loop closed; its exit went to the"
                            + " closed loop (watcher %s, %s)", pid, watcherName, how));
                }
            });
            waiting.callLater(REAP_WAIT_SECONDS, () -> setOnce(said, String.format(Locale.ROOT,
                    "pid %d: its loop was closed: killed, but watcher %s reported no exit within %d s", pid, watcherName, REAP_WAIT_SECONDS)));
            return waiting.runUntilComplete(said);
        } finally {
            waiting.close();
        }
    }

    // Taken off its watcher first, the child is reaped by nobody meanwhile, so its pid cannot be
    // reused and the kill reaches it; registered again, the watcher reaps it and tells us. The spawn
    // gate keeps a watcher swap from moving it in between. False when the watcher no longer held it.
    private static boolean killAndWatchAgain(SubprocessTransport transport, IntConsumer exited) {
        long pid = transport.getPid();
        // the registry's current watcher, not the policy's: during a refresh of the policy bundle no policy
        // is installed, and the look-up through it threw before the kill (an outside review)
        return ProcessWide.get().watcherSwitch().spawn(ProgramRun::currentWatcher, watcher -> {
            try (SpawnScope scope = watcher.enterSpawn()) {
                if (!watcher.removeChildHandler(pid)) {
                    return false;
                }
                transport.kill();
                watcher.addChildHandler(pid, (exitedPid, returncode) -> exited.accept(returncode));
                return true;
            }
        });
    }

    private static ChildWatcher currentWatcher() {
        ChildWatcher current = ProcessWide.get().childWatchers().current();
        if (current == null) {
            throw new IllegalStateException("no child watcher is installed");
        }
        return current;
    }

    private static <T> void setOnce(LoopFuture<T> future, T result) {
        if (!future.isDone()) {
            future.setResult(result);
        }
    }

    private static String describe(long pid, int returncode, long start, String watcherName, String how) {
        double millis = (System.nanoTime() - start) / 1e6;
        String ended = returncode < 0 ? "killed by signal " + -returncode + " (returncode " + returncode + ")" : "returncode " + returncode;
        return String.format(Locale.ROOT, "pid %d: %s after %.1f ms (watcher %s, %s)", pid, ended, millis, watcherName, how);
    }

    private static String watcherName(EventLoopPolicy policy) {
        try {
            return nameOf(policy.getChildWatcher());
        } catch (RuntimeException none) {
            return "none"; // the spawn says so, in asyncio's words
        }
    }

    // The registry's name; a watcher it does not list (set with setChildWatcher) by the name its class
    // declares, as the registry would list it.
    private static String nameOf(ChildWatcher watcher) {
        return ProcessWide.get().childWatchers().entryOf(watcher).map(Entry::name).orElseGet(() -> {
            LoopkitName name = watcher.getClass().getAnnotation(LoopkitName.class);
            return name != null ? name.value() : watcher.getClass().getSimpleName();
        });
    }

    @Override
    public void pipeDataReceived(int fd, ByteBuffer data) {
        PrintStream to = fd == 2 ? err : out;
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        to.write(bytes, 0, bytes.length);
        to.flush();
        if (bytes.length > 0) {
            endsMidLine = bytes[bytes.length - 1] != '\n';
        }
    }

    @Override
    public void pipeConnectionLost(int fd, Exception exc) {
        pipesOpen--;
        endIfDone();
    }

    @Override
    public void processExited() {
        exited = true;
        endIfDone();
    }

    // asyncio's subprocess waits for the pipes too: output written just before the exit still comes. A run
    // the platform's stop or a second Ctrl-C ends waits for no output once the program exited: a background
    // job of the program may hold it open for as long as it runs (sh -c 'daemon &'), and the stop gave up
    // waiting for the run, its loop's bundle stopped under it (RunEndedByThePlatformStopTest).
    private void endIfDone() {
        boolean givenUp = endedBecause != null || interrupts >= 2;
        if (exited && (pipesOpen == 0 || givenUp) && !ended.isDone()) {
            ended.setResult(null);
        }
    }
}
