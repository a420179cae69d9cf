package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.SubprocessProtocol;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
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
}
