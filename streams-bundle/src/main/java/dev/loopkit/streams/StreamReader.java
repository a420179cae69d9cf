package dev.loopkit.streams;

import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.api.ReadTransport;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * asyncio's {@code StreamReader}. Each read returns a future completed on the loop once the data
 * (or the end of the stream) is there; only one read may wait at a time, as in asyncio. When more
 * than twice {@code limit} bytes are buffered, the transport stops reading until they are consumed.
 * Loop thread only.
 */
public final class StreamReader {

    /** asyncio's {@code _DEFAULT_LIMIT}: 64 KiB. */
    public static final int DEFAULT_LIMIT = 64 * 1024;
    private static final byte[] NEWLINE = {'\n'};
    private static final List<byte[]> NEWLINE_ONLY = List.of(NEWLINE);

    private final EventLoop loop;
    private final int limit;
    private final ByteQueue buffer = new ByteQueue();
    private ReadTransport transport;
    private boolean eof;
    private boolean paused;
    /**
     * A waiting read takes its bytes: a resume of the transport is put off until its future is completed
     * or the bytes are put back. A transport that delivers from within {@code resumeReading()} ran that
     * read again inside the first, which got the later bytes before the earlier, and a put-back lost them.
     */
    private boolean taking;
    private Throwable exception;
    /** The read waiting for data: re-run whenever data, EOF or an error arrives. */
    private Runnable pending;
    private LoopFuture<?> pendingResult;

    public StreamReader(EventLoop loop) {
        this(loop, DEFAULT_LIMIT);
    }

    public StreamReader(EventLoop loop, int limit) {
        this.loop = Objects.requireNonNull(loop, "loop");
        if (limit <= 0) {
            throw new IllegalArgumentException("Limit cannot be <= 0");
        }
        this.limit = limit;
    }

    // ---- fed by the protocol -------------------------------------------------------------------------

    public void setTransport(ReadTransport readTransport) {
        if (transport != null) {
            throw new IllegalStateException("Transport already set");
        }
        transport = readTransport;
    }

    /** Appends the remaining bytes of {@code data} (copied). */
    public void feedData(ByteBuffer data) {
        if (eof) {
            throw new IllegalStateException("feed_data after feed_eof");
        }
        if (!data.hasRemaining()) {
            return;
        }
        buffer.append(data);
        if (transport != null && !paused && buffer.size() > 2L * limit) {
            try {
                transport.pauseReading();
                paused = true;
            } catch (UnsupportedOperationException cannotPause) {
                transport = null;
            }
        }
        wakeUp();
    }

    public void feedEof() {
        eof = true;
        wakeUp();
    }

    /** asyncio {@code set_exception}: every read from now on fails with {@code error}. */
    public void setException(Throwable error) {
        exception = Objects.requireNonNull(error, "exception");
        wakeUp();
    }

    public Throwable exception() {
        return exception;
    }

    /** asyncio {@code at_eof()}: the stream ended and everything was read. */
    public boolean atEof() {
        return eof && buffer.isEmpty();
    }

    // ---- reads ---------------------------------------------------------------------------------------

    /**
     * asyncio {@code read(n)}: up to {@code n} bytes as soon as any are there ({@code n < 0}: everything
     * until EOF); an empty array at EOF.
     */
    public LoopFuture<byte[]> read(int n) {
        if (n < 0) {
            if (anotherWaits()) {
                // it would take the buffer and then wait: refused first, taking nothing (asyncio's
                // read(-1) keeps what its first read(limit) took, and loses it when the wait raises)
                throw alreadyWaiting("read");
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            return attempt("read", () -> {
                if (exception != null) {
                    return Outcome.failed(exception);
                }
                all.writeBytes(buffer.takeAll());
                resumeTransportIfDrained();
                return eof ? Outcome.of(all.toByteArray()) : null;
            });
        }
        return attempt("read", () -> {
            if (exception != null) {
                return Outcome.failed(exception);
            }
            if (n == 0) {
                return Outcome.of(new byte[0]);
            }
            if (buffer.isEmpty() && !eof) {
                return null;
            }
            byte[] data = buffer.take(n);
            resumeTransportIfDrained();
            return Outcome.of(data);
        });
    }

    /**
     * asyncio {@code readexactly(n)}: exactly {@code n} bytes, or {@link IncompleteReadException}
     * with what came when the stream ends first.
     */
    public LoopFuture<byte[]> readexactly(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("readexactly size can not be less than zero");
        }
        return attempt("readexactly", () -> {
            if (exception != null) {
                return Outcome.failed(exception);
            }
            if (buffer.size() < n) {
                return eof ? Outcome.failed(new IncompleteReadException(buffer.takeAll(), n)) : null;
            }
            byte[] data = buffer.take(n);
            resumeTransportIfDrained();
            return Outcome.of(data);
        });
    }

    /**
     * asyncio {@code readuntil(separator)}: the data up to and including {@code separator}.
     * {@link LimitOverrunException} when it is not within the limit (nothing consumed);
     * {@link IncompleteReadException} with the rest when the stream ends first.
     */
    public LoopFuture<byte[]> readuntil(byte[] separator) {
        Objects.requireNonNull(separator, "separator");
        if (separator.length == 0) {
            throw new IllegalArgumentException("Separator should be at least one-byte string");
        }
        return attempt("readuntil", until(List.of(separator))); // one separator: nothing to sort
    }

    /**
     * asyncio 3.13's {@code readuntil(tuple)}: the data up to and including whichever of
     * {@code separators} ends first in the stream (of two that end at the same byte, the shorter is
     * the match); otherwise as {@link #readuntil(byte[])}.
     */
    public LoopFuture<byte[]> readuntil(List<byte[]> separators) {
        List<byte[]> shortestFirst = new ArrayList<>(separators); // asyncio's sorted(separator, key=len)
        shortestFirst.sort(Comparator.comparingInt(separator -> separator.length));
        if (shortestFirst.isEmpty()) {
            throw new IllegalArgumentException("Separator should contain at least one element");
        }
        if (shortestFirst.get(0).length == 0) {
            throw new IllegalArgumentException("Separator should be at least one-byte string");
        }
        return attempt("readuntil", until(shortestFirst));
    }

    /**
     * readuntil's step, for separators sorted shortest first; {@code offset} keeps where no separator
     * can start, so each try only scans new data (less the longest separator's length but one).
     */
    private Attempt<byte[]> until(List<byte[]> separators) {
        int shortest = separators.get(0).length;
        int longest = separators.get(separators.size() - 1).length;
        int[] offset = {0};
        return () -> {
            if (exception != null) {
                return Outcome.failed(exception);
            }
            int matchStart = -1;
            int matchEnd = -1;
            if (buffer.size() - offset[0] >= shortest) {
                for (byte[] separator : separators) {
                    int found = buffer.indexOf(separator, offset[0]);
                    if (found >= 0 && (matchEnd < 0 || found + separator.length < matchEnd)) {
                        matchStart = found;
                        matchEnd = found + separator.length;
                    }
                }
                if (matchEnd < 0) {
                    offset[0] = Math.max(0, buffer.size() + 1 - longest);
                    if (offset[0] > limit) {
                        return Outcome.failed(new LimitOverrunException(
                                "Separator is not found, and chunk exceed the limit", offset[0]));
                    }
                }
            }
            if (matchEnd < 0) {
                return eof ? Outcome.failed(new IncompleteReadException(buffer.takeAll(), null)) : null;
            }
            if (matchStart > limit) {
                return Outcome.failed(new LimitOverrunException("Separator is found, but chunk is longer than limit", matchStart));
            }
            byte[] data = buffer.take(matchEnd);
            resumeTransportIfDrained();
            return Outcome.of(data);
        };
    }

    /**
     * asyncio {@code readline()}: a line with its {@code \n}; at EOF, the rest (maybe empty). A line
     * longer than the limit fails with {@link IllegalArgumentException} (asyncio's {@code ValueError})
     * and is dropped, in the same step that finds it (as asyncio's coroutine does): data that arrives
     * before the caller's continuation runs belongs to the next line.
     */
    public LoopFuture<byte[]> readline() {
        Attempt<byte[]> line = until(NEWLINE_ONLY);
        return attempt("readuntil", () -> { // asyncio's readline waits inside readuntil, and says so
            Outcome<byte[]> outcome = line.tryNow();
            if (outcome == null || outcome.error() == null) {
                return outcome;
            }
            if (outcome.error() instanceof IncompleteReadException incomplete) {
                return Outcome.of(incomplete.partial());
            }
            if (outcome.error() instanceof LimitOverrunException overrun) {
                if (buffer.startsWith(NEWLINE, overrun.consumed())) {
                    buffer.take(overrun.consumed() + NEWLINE.length);
                } else {
                    buffer.clear();
                }
                resumeTransportIfDrained();
                return Outcome.failed(new IllegalArgumentException(overrun.getMessage(), overrun));
            }
            return outcome;
        });
    }

    // ---- waiting -------------------------------------------------------------------------------------

    /** What a read got now: a value or an error; {@code null} from an {@link Attempt} means "wait for more". */
    private record Outcome<T>(T value, Throwable error) {
        static <T> Outcome<T> of(T value) {
            return new Outcome<>(value, null);
        }

        static <T> Outcome<T> failed(Throwable error) {
            return new Outcome<>(null, error);
        }
    }

    @FunctionalInterface
    private interface Attempt<T> {
        Outcome<T> tryNow();
    }

    private <T> LoopFuture<T> attempt(String name, Attempt<T> step) {
        boolean anotherWaits = anotherWaits();
        if (!anotherWaits) {
            pending = null;
        }
        LoopFuture<T> result = loop.createFuture();
        Outcome<T> now = step.tryNow();
        if (now != null) {
            complete(result, now); // made here: nobody could have cancelled it yet
            return result;
        }
        if (anotherWaits) {
            // asyncio raises only where a read must wait (_wait_for_data): one the buffer satisfies returns
            throw alreadyWaiting(name);
        }
        keepDataFlowing();
        pendingResult = result;
        pending = () -> {
            if (result.isDone()) {
                return; // cancelled by its caller
            }
            long before = buffer.mark();
            Outcome<T> later;
            taking = true;
            try {
                later = step.tryNow();
            } finally {
                taking = false;
            }
            if (later == null) {
                keepDataFlowing();
                return;
            }
            pending = null; // before completing: what the completion triggers may read again
            if (!complete(result, later)) {
                // Cancelled on another thread (an orTimeout) since the look above: what the step took stays
                // for the next read, as asyncio's, whose coroutine takes it only once it resumes.
                buffer.putBack(before);
            }
            resumeTransportIfDrained(); // put off while the step took
        };
        return result;
    }

    private boolean anotherWaits() {
        return pending != null && !pendingResult.isDone();
    }

    private static IllegalStateException alreadyWaiting(String name) {
        return new IllegalStateException(name + "() called while another coroutine is already waiting for incoming data");
    }

    // asyncio's _wait_for_data: a reader that waits for more than the limit must get it, so reading
    // resumes whenever a read is still waiting.
    private void keepDataFlowing() {
        if (paused) {
            paused = false;
            transport.resumeReading();
        }
    }

    /** Completes {@code result} with {@code outcome}; {@code false} when its caller cancelled it first. */
    private static <T> boolean complete(LoopFuture<T> result, Outcome<T> outcome) {
        return outcome.error() != null ? IfStillWaiting.setException(result, outcome.error())
                : IfStillWaiting.setResult(result, outcome.value());
    }

    private void wakeUp() {
        Runnable waiting = pending;
        if (waiting != null) {
            waiting.run();
        }
    }

    private void resumeTransportIfDrained() {
        if (paused && !taking && buffer.size() <= limit) {
            paused = false;
            transport.resumeReading();
        }
    }

    /** For tests and diagnostics: how many bytes are buffered. */
    int buffered() {
        return buffer.size();
    }

    /** asyncio's repr, in its order. */
    @Override
    public String toString() {
        return "<StreamReader" + (buffer.isEmpty() ? "" : " " + buffer.size() + " bytes") + (eof ? " eof" : "")
                + (limit != DEFAULT_LIMIT ? " limit=" + limit : "") + (anotherWaits() ? " waiter=" + pendingResult : "")
                + (exception != null ? " exception=" + exception : "") + (transport != null ? " transport=" + transport : "")
                + (paused ? " paused" : "") + ">";
    }

}
