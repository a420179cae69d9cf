package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.BaseProtocol;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.Protocol;
import dev.loopkit.api.WriteBufferLimits;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * asyncio's {@code sendfile} fallback against a transport the test drives by hand: it says when the
 * protocol must pause and resume writing, and drops what is written once it is closing, as a TLS
 * transport does. The file's position must count exactly what the transport took.
 */
public class SendfileFallbackTest {

    private static final int BLOCK = 64 * 1024;

    private final BaseEventLoop loop = new ParkingEventLoop();
    private Path file;

    @Before
    public void threeBlocks() throws Exception {
        file = Files.createTempFile("sendfile-fallback", ".bin");
        Files.write(file, new byte[3 * BLOCK]);
    }

    @After
    public void cleanUp() throws Exception {
        loop.close();
        Files.deleteIfExists(file);
    }

    /**
     * Room comes back (the protocol hears {@code resumeWriting}) and the transport is closed before the
     * fallback's next write runs, an iteration or two later: that block must not be written into the
     * closing transport and counted as sent. Before, it was, and the peer of a TLS transport was
     * short of what the file's position said (the proactor loop's TLS test, 2 CI runs in about 10).
     */
    @Test
    public void aCloseAfterRoomCameBackButBeforeTheNextWriteCountsNothingMore() throws Exception {
        HandDrivenTransport transport = new HandDrivenTransport();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            loop.callSoon(() -> {
                LoopFuture<Long> sending = loop.sendfile(transport, channel, 0, null);
                sending.whenComplete((sent, error) -> failed.complete(error));
                transport.afterFirstWrite = () -> loop.callSoon(new Runnable() {
                    @Override
                    public void run() {
                        if (loop.sendfileBytesCopied() < 2 * BLOCK) {
                            loop.callSoon(this); // the second block is not read yet
                            return;
                        }
                        // read, and the fallback waits for room to write it
                        transport.getProtocol().resumeWriting(); // room: the wait ends
                        transport.close(); // and the user closes before the block goes
                    }
                });
            });
            runUntil(failed);
            Throwable error = failed.join();
            assertTrue(String.valueOf(error), error instanceof SocketException);
            assertEquals("Connection closed by peer", error.getMessage());
            assertEquals("the file's position counts what the transport took", transport.taken, channel.position());
            assertEquals("the first block only", BLOCK, transport.taken);
        }
    }

    private void runUntil(CompletableFuture<?> done) throws InterruptedException, ExecutionException {
        done.whenComplete((ok, error) -> loop.callSoonThreadsafe(loop::stop));
        CompletableFuture<Void> running = CompletableFuture.runAsync(loop::runForever);
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the sendfile never ended");
        } finally {
            loop.callSoonThreadsafe(loop::stop);
            running.join();
        }
    }

    /** Takes what is written until it is closing, then drops it; pauses its protocol after each write. */
    private static final class HandDrivenTransport implements SendfileTransport {
        BaseProtocol protocol = new Protocol() { };
        boolean closing;
        boolean reading = true;
        boolean writingPaused;
        long taken;
        Runnable afterFirstWrite = () -> { };

        @Override
        public void write(ByteBuffer data) {
            if (closing) {
                return; // a TLS transport's write after close: dropped, with a warning after a few
            }
            taken += data.remaining();
            data.position(data.limit());
            writingPaused = true;
            protocol.pauseWriting(); // over the high-water mark: wait for room
            Runnable then = afterFirstWrite;
            afterFirstWrite = () -> { };
            then.run();
        }

        @Override
        public boolean isWritingPaused() {
            return writingPaused;
        }

        @Override
        public void close() {
            closing = true;
            SendfileTransport.closing(protocol);
        }

        @Override
        public boolean isClosing() {
            return closing;
        }

        @Override
        public void setProtocol(BaseProtocol protocol) {
            this.protocol = protocol;
        }

        @Override
        public BaseProtocol getProtocol() {
            return protocol;
        }

        @Override
        public boolean isReading() {
            return reading;
        }

        @Override
        public void pauseReading() {
            reading = false;
        }

        @Override
        public void resumeReading() {
            reading = true;
        }

        @Override
        public Object getExtraInfo(String name, Object defaultValue) {
            return defaultValue;
        }

        @Override
        public void writeEof() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean canWriteEof() {
            return false;
        }

        @Override
        public void abort() {
            close();
        }

        @Override
        public int getWriteBufferSize() {
            return 0;
        }

        @Override
        public WriteBufferLimits getWriteBufferLimits() {
            return new WriteBufferLimits(0, BLOCK);
        }

        @Override
        public void setWriteBufferLimits(int high, int low) {
            throw new UnsupportedOperationException();
        }
    }
}
