package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LoopTestSupport;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A subprocess protocol whose callbacks throw: what they throw is the loop's to report, and the
 * transport still finishes (asyncio's base_subprocess runs each protocol callback in a loop callback
 * of its own, so nothing the user throws can stop {@code _try_finish}).
 */
public class ThrowingSubprocessProtocolTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private BaseEventLoop loop;
    private final List<Object> reported = new CopyOnWriteArrayList<>();

    @Before
    public void setUp() {
        loop = Watchers.loopWith(new ThreadedChildWatcher(), cleanup);
        loop.setExceptionHandler((l, context) -> reported.add(context.get("exception")));
    }

    @After
    public void tearDown() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    private void assertReported(String message) {
        assertEquals(reported.toString(), 1, reported.size());
        assertEquals(message, ((Throwable) reported.get(0)).getMessage());
    }

    /** Records the events; throws from the named callback. */
    private static final class Throwing implements SubprocessProtocol {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> lost = new CompletableFuture<>();
        final String throwIn;

        Throwing(String throwIn) {
            this.throwIn = throwIn;
        }

        @Override
        public void connectionMade(SubprocessTransport transport) {
            events.add("connectionMade");
        }

        @Override
        public void pipeConnectionLost(int fd, Exception exc) {
            events.add("pipeConnectionLost " + fd);
            if (throwIn.equals("pipeConnectionLost")) {
                throw new IllegalStateException("user bug in pipeConnectionLost");
            }
        }

        @Override
        public void processExited() {
            events.add("processExited");
            if (throwIn.equals("processExited")) {
                throw new IllegalStateException("user bug in processExited");
            }
        }

        @Override
        public void connectionLost(Exception exc) {
            events.add("connectionLost");
            lost.complete(null);
        }
    }

    /**
     * asyncio's _process_exited: {@code self._call(self._protocol.process_exited)} then
     * {@code self._try_finish()}: the user's process_exited runs in a callback of its own, so its
     * exception cannot stop connection_lost.
     */
    @Test
    public void aProcessExitedThatThrowsStillLetsConnectionLostCome() {
        Throwing protocol = new Throwing("processExited");
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        Watchers.runOn(loop, () -> loop.subprocessExec(() -> protocol, List.of("/bin/true"), quiet));
        try {
            Watchers.runOn(loop, () -> protocol.lost);
        } catch (AssertionError timedOut) {
            throw new AssertionError("connectionLost never came; events: " + protocol.events, timedOut);
        }
        assertReported("user bug in " + protocol.throwIn);
    }

    /**
     * asyncio's _pipe_connection_lost: {@code self._call(self._protocol.pipe_connection_lost, fd, exc)}
     * then {@code self._try_finish()}. Here the child exits first and a grandchild holds its stdout
     * for half a second, so the last pipe closes after the exit.
     */
    @Test
    public void aPipeConnectionLostThatThrowsStillLetsConnectionLostCome() {
        Throwing protocol = new Throwing("pipeConnectionLost");
        SubprocessOptions outOnly = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStderr(Redirect.DEVNULL);
        Watchers.runOn(loop, () -> loop.subprocessExec(() -> protocol, List.of("/bin/sh", "-c", "sleep 0.5 & exit 0"), outOnly));
        try {
            Watchers.runOn(loop, () -> protocol.lost);
        } catch (AssertionError timedOut) {
            throw new AssertionError("connectionLost never came; events: " + protocol.events, timedOut);
        }
        assertReported("user bug in " + protocol.throwIn);
    }

    /**
     * The protocol factory is user code too, and asyncio's {@code subprocess_exec} lets what it raises
     * fail the awaited call. An {@code Error} it throws (a failed {@code assert}) fails the spawn's
     * future, whichever thread asked, and nothing is spawned. Asked from another thread, the spawn's
     * future never completed: the Error left the loop's callback past the spawn's catch, and the loop
     * only reported it; asked on the loop, it was thrown out of the call.
     */
    @Test
    public void aProtocolFactoryThrowingAnErrorFailsTheSpawnWhicheverThreadAsked() throws Exception {
        loop.runUntilComplete(CompletableFuture.completedFuture(null)); // the loop's own descriptors open before the count
        Map<Integer, String> fdsBefore = Leaks.openFds();
        AssertionError bug = new AssertionError("the factory's bug");
        Supplier<SubprocessProtocol> failing = () -> {
            throw bug;
        };
        assertEquals(List.of(), spawnOutcomesOtherThan(bug, loop, () -> loop.subprocessExec(failing, List.of("/bin/true"))));
        assertEquals("children spawned", List.of(), ProcessHandle.current().children().map(ProcessHandle::pid).toList());
        assertEquals("file descriptors left open", Map.of(), Leaks.newFds(fdsBefore));
    }

    /**
     * The child watcher is user code as well ({@code ChildWatcher} is a consumer type, set through the
     * policy): an Error from its {@code isActive()} (a failed {@code assert} in a watcher of the user's)
     * fails the spawn's future as a RuntimeException from it does, whichever thread asked. Before, asked
     * from another thread the future never completed, and asked on the loop the Error was thrown out of
     * the call (an outside review).
     */
    @Test
    public void aChildWatcherThrowingAnErrorFailsTheSpawnWhicheverThreadAsked() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Throwable bug : List.of(new IllegalStateException("the watcher's bug"), new AssertionError("the watcher's bug"))) {
            AtomicBoolean armed = new AtomicBoolean();
            List<AutoCloseable> own = new ArrayList<>();
            BaseEventLoop throwingLoop = Watchers.loopWith(new ThreadedChildWatcher() {
                @Override
                public boolean isActive() {
                    if (armed.get()) {
                        throw LoopTestSupport.thrown(bug);
                    }
                    return super.isActive();
                }
            }, own);
            try {
                throwingLoop.setExceptionHandler((l, context) -> reported.add(context.get("exception")));
                throwingLoop.runUntilComplete(CompletableFuture.completedFuture(null));
                armed.set(true);
                wrong.addAll(spawnOutcomesOtherThan(bug, throwingLoop,
                        () -> throwingLoop.subprocessExec(() -> new Throwing("nothing"), List.of("/bin/true"))));
            } finally {
                armed.set(false);
                Watchers.cleanUp(own);
            }
        }
        assertEquals("reported to the loop: " + reported, List.of(), wrong);
    }

    // Asks `spawn` from this thread (the loop idle) and on the loop; what each ended with, where that
    // is not a future failed with `bug` itself.
    private static List<String> spawnOutcomesOtherThan(Throwable bug, BaseEventLoop loop,
            Supplier<CompletionStage<SubprocessTransport>> spawn) {
        List<String> wrong = new ArrayList<>();
        for (boolean onTheLoop : new boolean[] {false, true}) {
            Object outcome = LoopTestSupport.askedFrom(loop, onTheLoop, spawn, 2);
            if (outcome != bug) {
                wrong.add(bug.getClass().getSimpleName() + (onTheLoop ? ", asked on the loop" : ", asked from another thread")
                        + ": the spawn ended with " + outcome);
            }
        }
        return wrong;
    }
}
