package dev.loopkit.loop.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.loopkit.loop.core.BaseEventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * A protocol that closes (or aborts) its transport from {@code resumeWriting}, and counts how often it
 * hears {@code connectionLost}: a transport that drained its buffer as the protocol closed it must
 * tell it once.
 */
public final class ClosesOnResume extends CollectingProtocol {

    private final boolean abort;
    private int losses;

    public ClosesOnResume(boolean abort) {
        super(0, false);
        this.abort = abort;
    }

    @Override
    public void resumeWriting() {
        super.resumeWriting();
        if (abort) {
            made.join().abort();
        } else {
            made.join().close();
        }
    }

    @Override
    public void connectionLost(Exception exc) {
        losses++;
        super.connectionLost(exc);
    }

    /** Runs {@code loop} until the connection is lost, and a turn more (a second connectionLost is queued before it). */
    public void assertLostOnce(BaseEventLoop loop) {
        assertNull(LoopTestSupport.runFor(loop, lost));
        CompletableFuture<Void> turned = new CompletableFuture<>();
        loop.callSoon(() -> loop.callSoon(() -> turned.complete(null)));
        LoopTestSupport.runFor(loop, turned);
        assertEquals("abort=" + abort + ": connectionLost calls", 1, losses);
    }
}
