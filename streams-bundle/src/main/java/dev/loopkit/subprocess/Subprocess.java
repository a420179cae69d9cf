package dev.loopkit.subprocess;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.SubprocessTransport;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.streams.StreamWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * asyncio's {@code asyncio.subprocess.Process}: a child process with streams on its pipes. Loop
 * thread only, as in asyncio.
 */
public final class Subprocess {

    /** What {@link #communicate(byte[])} read: each {@code null} when that stream was not a pipe. */
    public record Output(byte[] stdout, byte[] stderr) {
    }

    private final SubprocessTransport transport;
    private final SubprocessStreamProtocol protocol;
    private final EventLoop loop;
    /** Loop thread: the last communicate and its reads, for {@link #giveUpReadsOfAnEndedCommunicate}. */
    private LoopFuture<Output> lastCommunicate;
    private List<LoopFuture<byte[]>> lastReads = List.of();

    Subprocess(SubprocessTransport transport, SubprocessStreamProtocol protocol, EventLoop loop) {
        this.transport = transport;
        this.protocol = protocol;
        this.loop = loop;
    }

    public long pid() {
        return transport.getPid();
    }

    /** The return code, {@code null} while the child runs. */
    public Integer returncode() {
        return transport.getReturncode();
    }

    /** The writer on the child's stdin, or {@code null} when stdin is not a pipe. */
    public StreamWriter stdin() {
        return protocol.stdin();
    }

    /** The reader of the child's stdout, or {@code null} when stdout is not a pipe. */
    public StreamReader stdout() {
        return protocol.stdout();
    }

    public StreamReader stderr() {
        return protocol.stderr();
    }

    /**
     * asyncio {@code wait()}: the return code, once the child exited. Waiting many times gives the same
     * code. Each call has a future of its own, as each of asyncio's has a waiter of its own: one shared
     * future, cancelled or timed out by one caller ({@code orTimeout}), failed every later wait and
     * {@code communicate} with that caller's exception (an outside review).
     */
    public CompletionStage<Integer> waitFor() {
        return protocol.exited().thenApply(returncode -> returncode);
    }

    /**
     * asyncio {@code communicate(input)}: writes {@code input} (may be {@code null}) to stdin and
     * closes it, reads stdout and stderr to their end, and completes once the child exited.
     *
     * <p>A loop future, as every stage the loop hands out: a caller's timeout on it ({@code orTimeout},
     * from the JDK's timer thread) reaches what the caller chained to it on the loop, where
     * {@code kill()} and another {@code communicate()} belong. A plain {@code CompletableFuture} ran
     * them on the timer thread (an outside review; SubprocessWaitCancelledTest).
     */
    public CompletionStage<Output> communicate(byte[] input) {
        giveUpReadsOfAnEndedCommunicate();
        CompletableFuture<Void> fed = feedStdin(input);
        List<LoopFuture<byte[]>> reads = new ArrayList<>(2);
        CompletableFuture<byte[]> out = readAll(stdout(), 1, reads);
        CompletableFuture<byte[]> err = readAll(stderr(), 2, reads);
        LoopFuture<Output> communicated = loop.createFuture();
        CompletableFuture.allOf(fed, out, err)
                .thenCompose(ignored -> waitFor())
                .whenComplete((code, error) -> {
                    try {
                        if (error == null) {
                            communicated.setResult(new Output(out.join(), err.join()));
                        } else {
                            communicated.setException(error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause() : error);
                        }
                    } catch (IllegalStateException givenUp) {
                        // its caller cancelled it or timed it out first
                    }
                });
        lastCommunicate = communicated;
        lastReads = reads;
        // asyncio's gather cancels the reads when communicate is cancelled (wait_for's timeout): they
        // stayed the readers' waiters, and every later communicate or read was refused (an outside review)
        communicated.whenComplete((output, givenUp) -> {
            if (givenUp != null) {
                reads.forEach(read -> read.cancel(false));
            }
        });
        return communicated;
    }

    // A communicate given up on (timed out by its caller, say) whose completion has not yet reached its
    // reads: a stage runs what depends on it last registered first, so the caller's next communicate,
    // made from its own handler, comes before the hook above.
    private void giveUpReadsOfAnEndedCommunicate() {
        if (lastCommunicate != null && lastCommunicate.toCompletableFuture().isCompletedExceptionally()) {
            lastReads.forEach(read -> read.cancel(false));
        }
    }

    // asyncio's _feed_stdin: a child that exits without reading gives a broken pipe, which is ignored.
    private CompletableFuture<Void> feedStdin(byte[] input) {
        StreamWriter writer = stdin();
        if (writer == null) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> fed = new CompletableFuture<>();
        CompletionStage<Void> drained;
        if (input != null && input.length > 0) {
            writer.write(input);
            drained = writer.drain();
        } else {
            drained = CompletableFuture.completedFuture(null);
        }
        drained.whenComplete((ok, error) -> {
            writer.close();
            if (error == null || error instanceof IOException || error.getCause() instanceof IOException) {
                fed.complete(null);
            } else {
                fed.completeExceptionally(error);
            }
        });
        return fed;
    }

    private CompletableFuture<byte[]> readAll(StreamReader reader, int fd, List<LoopFuture<byte[]>> reads) {
        if (reader == null) {
            return CompletableFuture.completedFuture(null);
        }
        LoopFuture<byte[]> all = reader.read(-1);
        reads.add(all);
        return all.toCompletableFuture().thenApply(bytes -> {
            if (transport.getPipeTransport(fd) != null) {
                transport.getPipeTransport(fd).close();
            }
            return bytes;
        });
    }

    public void sendSignal(int signal) {
        transport.sendSignal(signal);
    }

    public void terminate() {
        transport.terminate();
    }

    public void kill() {
        transport.kill();
    }

    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "<Process " + pid() + (returncode() == null ? "" : " returncode=" + returncode()) + ">";
    }
}
