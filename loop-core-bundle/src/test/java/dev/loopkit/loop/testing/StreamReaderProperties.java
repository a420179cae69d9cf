package dev.loopkit.loop.testing;

import static dev.loopkit.loop.testing.LoopTestSupport.runFor;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Server;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.streams.IncompleteReadException;
import dev.loopkit.streams.StreamReader;
import dev.loopkit.streams.StreamWriter;
import dev.loopkit.streams.Streams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Any byte sequence, cut into any chunks and fed to a {@link StreamReader} (with {@code feedData}, or
 * written through a real TCP connection), reads back byte for byte through any sequence of
 * {@code read(n)}, {@code readexactly(n)} and {@code readuntil(separator)}, chained one after the
 * other in continuations as deep as the data allows, whether the data was already buffered or
 * arrives while the reads wait. Each loop implementation runs them by extending this class.
 */
public abstract class StreamReaderProperties {

    private BaseEventLoop loop;

    /** A new loop of the implementation under test. */
    protected abstract BaseEventLoop newLoop();

    @BeforeProperty
    void openLoop() {
        loop = newLoop();
    }

    @AfterProperty
    void closeLoop() {
        loop.close();
    }

    /**
     * One read of the chain; {@code n} for the sized reads, {@code separators} for {@code readuntil}
     * (one: {@code readuntil(separator)}; more: 3.13's {@code readuntil(tuple)}).
     */
    record Read(Kind kind, int n, List<byte[]> separators) {
        enum Kind { READ, READEXACTLY, READUNTIL }

        @Override
        public String toString() {
            return kind == Kind.READUNTIL ? "readuntil(" + separators.stream().map(Arrays::toString).toList() + ")"
                    : kind.name().toLowerCase() + "(" + n + ")";
        }
    }

    /** Mostly a three-letter alphabet, so that separators are found; sometimes any byte. */
    @Provide
    Arbitrary<byte[]> data() {
        return Arbitraries.oneOf(Arbitraries.bytes().between((byte) 'a', (byte) 'c'), Arbitraries.bytes())
                .array(byte[].class).ofMaxSize(3000);
    }

    @Provide
    Arbitrary<List<Read>> reads() {
        Arbitrary<Read> sized = Combinators.combine(
                        Arbitraries.of(Read.Kind.READ, Read.Kind.READEXACTLY), Arbitraries.integers().between(1, 200))
                .as((kind, n) -> new Read(kind, n, null));
        Arbitrary<Read> until = Arbitraries.bytes().between((byte) 'a', (byte) 'c').array(byte[].class).ofMinSize(1).ofMaxSize(3)
                .list().ofMinSize(1).ofMaxSize(3)
                .map(separators -> new Read(Read.Kind.READUNTIL, 0, separators));
        return Arbitraries.oneOf(sized, until).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 300)
    void fedChunksReadBackIdentically(@ForAll("data") byte[] data,
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 500) Integer> chunkSizes,
            @ForAll("reads") List<Read> reads, @ForAll boolean bufferedBeforeReading) {
        StreamReader reader = new StreamReader(loop, Integer.MAX_VALUE);
        List<byte[]> chunks = cut(data, chunkSizes);
        if (bufferedBeforeReading) {
            chunks.forEach(chunk -> reader.feedData(ByteBuffer.wrap(chunk)));
            reader.feedEof();
        } else {
            feedOnePerIteration(reader, chunks, 0);
        }
        assertReadsBack(data, reads, runFor(loop, readToEnd(reader, reads, 0, new ArrayList<>())));
    }

    @Property(tries = 40)
    void chunksWrittenThroughTcpReadBackIdentically(@ForAll("data") byte[] data,
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 500) Integer> chunkSizes,
            @ForAll("reads") List<Read> reads) {
        CompletableFuture<List<byte[]>> received = new CompletableFuture<>();
        Server server = runFor(loop, Streams.startServer(loop, (reader, writer) -> readToEnd(reader, reads, 0, new ArrayList<>())
                .whenComplete((got, error) -> {
                    writer.close();
                    if (error != null) {
                        received.completeExceptionally(error);
                    } else {
                        received.complete(got);
                    }
                }), "127.0.0.1", 0, StreamReader.DEFAULT_LIMIT));
        try {
            int port = ((InetSocketAddress) server.sockets().get(0).localAddress()).getPort();
            Streams.StreamPair client = runFor(loop, Streams.openConnection(loop, "127.0.0.1", port, StreamReader.DEFAULT_LIMIT));
            writeEach(client.writer(), cut(data, chunkSizes), 0);
            assertReadsBack(data, reads, runFor(loop, received));
            client.writer().close();
            runFor(loop, client.writer().waitClosed());
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            server.close();
            runFor(loop, server.waitClosed());
        }
    }

    /** Writes one chunk per loop iteration (so they travel as separate segments where TCP lets them), then the EOF. */
    private void writeEach(StreamWriter writer, List<byte[]> chunks, int index) {
        if (index == chunks.size()) {
            writer.writeEof();
            return;
        }
        writer.write(chunks.get(index));
        loop.callSoon(() -> writeEach(writer, chunks, index + 1));
    }

    private void feedOnePerIteration(StreamReader reader, List<byte[]> chunks, int index) {
        loop.callSoon(() -> {
            if (index == chunks.size()) {
                reader.feedEof();
            } else {
                reader.feedData(ByteBuffer.wrap(chunks.get(index)));
                feedOnePerIteration(reader, chunks, index + 1);
            }
        });
    }

    /**
     * The reads, cycled until the end of the stream, each started in the continuation of the one
     * before (as a user chains them); what each returned, the partial data of the last one included.
     */
    private static CompletionStage<List<byte[]>> readToEnd(StreamReader reader, List<Read> reads, int index,
            List<byte[]> got) {
        Read next = reads.get(index % reads.size());
        CompletionStage<byte[]> read = switch (next.kind()) {
            case READ -> reader.read(next.n());
            case READEXACTLY -> reader.readexactly(next.n());
            case READUNTIL -> next.separators().size() == 1 ? reader.readuntil(next.separators().get(0))
                    : reader.readuntil(next.separators());
        };
        return read.handle((data, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException wrapped ? wrapped.getCause() : error;
                if (!(cause instanceof IncompleteReadException incomplete)) {
                    throw new AssertionError(next + " failed", cause);
                }
                got.add(incomplete.partial());
                got.add(null); // the end, marked for the checks
                return CompletableFuture.completedFuture(got);
            }
            got.add(data);
            if (data.length == 0) {
                got.add(null);
                return CompletableFuture.completedFuture(got);
            }
            return readToEnd(reader, reads, index + 1, got);
        }).thenCompose(stage -> stage);
    }

    /** Each read returned what it promises, and together they are the data, in order. */
    private static void assertReadsBack(byte[] data, List<Read> reads, List<byte[]> got) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int last = got.size() - 2; // got ends with the last read's bytes and the end marker
        for (int i = 0; i <= last; i++) {
            Read read = reads.get(i % reads.size());
            byte[] chunk = got.get(i);
            all.writeBytes(chunk);
            if (i == last) {
                continue; // at the end: what was left (read's empty array, or the partial of an incomplete read)
            }
            switch (read.kind()) {
                case READ -> assertTrue(read + " returned " + chunk.length + " bytes", chunk.length >= 1 && chunk.length <= read.n());
                case READEXACTLY -> assertEquals(read.toString(), read.n(), chunk.length);
                case READUNTIL -> assertEquals(read + " returned data that the first separator to end in it ends",
                        chunk.length, firstEnd(chunk, read.separators()));
            }
        }
        assertEquals(null, got.get(got.size() - 1));
        assertArrayEquals(data, all.toByteArray());
    }

    // Where the separator that ends first in data ends (3.13: the shortest match wins); -1 if none is in it.
    private static int firstEnd(byte[] data, List<byte[]> separators) {
        int first = -1;
        for (byte[] separator : separators) {
            int at = indexOf(data, separator);
            if (at >= 0 && (first < 0 || at + separator.length < first)) {
                first = at + separator.length;
            }
        }
        return first;
    }

    private static int indexOf(byte[] data, byte[] separator) {
        outer:
        for (int i = 0; i + separator.length <= data.length; i++) {
            for (int j = 0; j < separator.length; j++) {
                if (data[i + j] != separator[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static List<byte[]> cut(byte[] data, List<Integer> sizes) {
        List<byte[]> chunks = new ArrayList<>();
        for (int at = 0, i = 0; at < data.length; i++) {
            int size = Math.min(sizes.get(i % sizes.size()), data.length - at);
            chunks.add(Arrays.copyOfRange(data, at, at + size));
            at += size;
        }
        return chunks;
    }
}
