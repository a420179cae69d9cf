package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.loop.core.BaseEventLoop;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;

/**
 * {@code sendSignal} with a number that is no signal is the caller's mistake, as in asyncio, whose
 * {@code send_signal(9999)} raises {@code OSError: [Errno 22] Invalid argument} from {@code os.kill}: an
 * {@link IllegalArgumentException} naming the number and the error, and the child runs on. It was an
 * {@code IllegalStateException}, as if the transport were at fault.
 */
@RunWith(Parameterized.class)
public class SendSignalOutOfRangeTest {

    @Parameters(name = "{0} loop")
    public static List<Object[]> loops() {
        return Watchers.everyLoop();
    }

    private final Watchers.Loop kind;
    private BaseEventLoop loop;

    public SendSignalOutOfRangeTest(Watchers.Loop kind) {
        this.kind = kind;
    }

    @After
    public void tearDown() {
        Watchers.resetAndClose(loop);
    }

    @Test
    public void aNumberThatIsNoSignalIsRefusedAndTheChildRunsOn() {
        loop = Watchers.loopWithTheDefaultWatcher(kind);
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        Recording recording = new Recording();
        SubprocessTransport transport = Watchers.runOn(loop,
                () -> loop.subprocessExec(() -> recording, List.of("/bin/sleep", "30"), quiet));
        for (int notASignal : new int[] {9999, -1, 65}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> transport.sendSignal(notASignal));
            assertTrue(refused.getMessage(), refused.getMessage().contains("signal " + notASignal)
                    && refused.getMessage().contains("Invalid argument"));
        }
        assertEquals("the child runs on", null, transport.getReturncode());
        transport.kill();
        int code = Watchers.runOn(loop, () -> recording.exited.orTimeout(10, TimeUnit.SECONDS));
        assertEquals(-9, code);
    }
}
