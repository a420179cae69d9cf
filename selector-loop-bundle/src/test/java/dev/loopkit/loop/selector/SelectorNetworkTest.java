package dev.loopkit.loop.selector;

import static org.junit.Assert.assertTrue;

import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.ReadinessNetworkContract;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

/** The network contract on the selector loop. */
public class SelectorNetworkTest extends ReadinessNetworkContract {

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    /**
     * Under a storm of ready callbacks the loop skips the zero-timeout select, but readiness is still
     * picked up within {@link SelectorEventLoop#IO_POLL_EVERY} callbacks.
     */
    @Test
    public void readinessIsPickedUpDuringAStormOfCallbacks() throws Exception {
        Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        CompletableFuture<Integer> readAfter = new CompletableFuture<>();
        int[] chained = {0};
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            if (readAfter.isDone()) {
                return;
            }
            if (++chained[0] > 100_000) {
                readAfter.completeExceptionally(new AssertionError("no readiness within 100,000 callbacks"));
                return;
            }
            loop.callSoon(step[0]);
        };
        loop.callSoon(() -> {
            loop.addReader(pipe.source(), () -> {
                loop.removeReader(pipe.source());
                readAfter.complete(chained[0]);
            });
            step[0].run();
        });
        int after = runFor(readAfter);
        assertTrue("the reader ran after " + after + " chained callbacks", after <= SelectorEventLoop.IO_POLL_EVERY + 2);
        pipe.source().close();
        pipe.sink().close();
    }
}
