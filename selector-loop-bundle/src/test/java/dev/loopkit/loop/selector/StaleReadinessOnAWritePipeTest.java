package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import dev.loopkit.api.Connection;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.core.RawFdSet;
import dev.loopkit.loop.testing.CollectingProtocol;
import dev.loopkit.loop.testing.LoopTestSupport;
import dev.loopkit.posix.Epoll;
import dev.loopkit.posix.Posix;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.Test;

/**
 * A write pipe is watched for readability only to hear that its reader went away (asyncio's
 * {@code _UnixWritePipeTransport._read_ready}). A readiness may still be on its way for the descriptor
 * that had the same number before (the poller's thread saw it; or an earlier event of the same wait
 * whose callback closed that descriptor and the number went to this pipe): the transport took it for its
 * reader's end and closed, a child's stdin with it, whose input {@code communicate()} then dropped as a
 * broken pipe (an outside review read it in the code). It looks now: a reader still there keeps it open.
 */
public class StaleReadinessOnAWritePipeTest extends LoopTestSupport {

    private static final Posix POSIX = Posix.get();

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop();
    }

    @Test
    public void aReadinessMeantForTheNumbersEarlierDescriptorLeavesTheWritePipeOpen() throws Exception {
        int[] pipe = POSIX.pipe();
        try {
            CollectingProtocol writer = new CollectingProtocol(0, false);
            Connection<CollectingProtocol> write = runFor(loop.connectWritePipe(() -> writer, pipe[1]));
            RawFdSet fds = rawFds(loop);
            CompletableFuture<Void> delivered = new CompletableFuture<>();
            loop.callSoon(() -> {
                // the earlier descriptor's hang-up, late, and of the registration the write pipe has now: a
                // readiness of an earlier registration is dropped before (StaleReadinessOfAnEarlierDescriptorTest)
                fds.deliver(pipe[1], Epoll.IN, fds.generationOf(pipe[1]));
                loop.callSoon(() -> loop.callSoon(() -> delivered.complete(null)));
            });
            runFor(delivered);
            assertFalse("a write pipe whose reader is there took a stale readiness for its end", write.transport().isClosing());
            write.transport().write("still here".getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<Void> written = new CompletableFuture<>();
            loop.callSoon(() -> loop.callSoon(() -> written.complete(null)));
            runFor(written);
            ByteBuffer read = ByteBuffer.allocate(100);
            POSIX.read(pipe[0], read);
            assertEquals("still here", new String(read.array(), 0, read.position(), StandardCharsets.US_ASCII));
            write.transport().close();
            runFor(writer.lost);
        } finally {
            POSIX.close(pipe[0]);
        }
    }

    // The loop's raw descriptors, as its poller's thread hands their readiness over.
    private static RawFdSet rawFds(BaseEventLoop loop) throws ReflectiveOperationException {
        Field poller = BaseEventLoop.class.getDeclaredField("fdPoller");
        poller.setAccessible(true);
        Field fds = Class.forName("dev.loopkit.loop.core.FdPoller").getDeclaredField("fds");
        fds.setAccessible(true);
        return (RawFdSet) fds.get(poller.get(loop));
    }
}
