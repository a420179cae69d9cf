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

    /** One call of the limit property: {@code readuntil(separator)}, {@code readline()}, {@code read(n)} or {@code readexactly(n)}. */
    record Call(String name, int n, byte[] separator) {
        @Override
        public String toString() {
            return name + "(" + (separator != null ? new String(separator, java.nio.charset.StandardCharsets.US_ASCII)
                    .replace("\n", "\\n") : name.equals("readline") ? "" : String.valueOf(n)) + ")";
        }
    }

    @Provide
    Arbitrary<List<Call>> calls() {
        Arbitrary<Call> until = Arbitraries.of((byte) 'a', (byte) 'b', (byte) '\n').array(byte[].class).ofMinSize(1).ofMaxSize(3)
                .map(separator -> new Call("readuntil", 0, separator));
        Arbitrary<Call> line = Arbitraries.just(new Call("readline", 0, null));
        Arbitrary<Call> sized = Combinators.combine(Arbitraries.of("read", "readexactly"), Arbitraries.integers().between(1, 60))
                .as((name, n) -> new Call(name, n, null));
        return Arbitraries.oneOf(until, line, sized).list().ofMinSize(1).ofMaxSize(8);
    }

    /**
     * The limit's rules, against a model of asyncio's {@code readuntil} and {@code readline} written from
     * its code: with the stream buffered to its end, any data, any limit and any sequence of calls give
     * asyncio's outcome: the bytes, {@code LimitOverrunError} with its words and {@code consumed} (nothing
     * taken), {@code readline}'s {@code ValueError} (the line dropped), {@code IncompleteReadError} with its
     * partial. The properties above run with no limit; an outside review saw no property reach it.
     */
    @Property(tries = 300)
    void aBufferedStreamKeepsItsLimitAsAsyncioDoes(@ForAll @Size(max = 120) List<@IntRange(min = 0, max = 2) Integer> letters,
            @ForAll @IntRange(min = 1, max = 40) int limit, @ForAll("calls") List<Call> calls) {
        byte[] data = new byte[letters.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) "ab\n".charAt(letters.get(i));
        }
        StreamReader reader = new StreamReader(loop, limit);
        reader.feedData(ByteBuffer.wrap(data));
        reader.feedEof();
        List<Byte> model = new ArrayList<>();
        for (byte b : data) {
            model.add(b);
        }
        for (int i = 0; i < 3 * calls.size(); i++) {
            Call call = calls.get(i % calls.size());
            String expected = asyncio(model, limit, call);
            CompletionStage<byte[]> read = switch (call.name()) {
                case "readuntil" -> reader.readuntil(call.separator());
                case "readline" -> reader.readline();
                case "read" -> reader.read(call.n());
                default -> reader.readexactly(call.n());
            };
            String got = runFor(loop, read.handle((bytes, error) -> outcome(bytes, error)));
            assertEquals("call " + i + ", " + call + ", limit " + limit + ", data " + Arrays.toString(data), expected, got);
        }
    }

    private static String outcome(byte[] bytes, Throwable error) {
        Throwable cause = error instanceof CompletionException wrapped ? wrapped.getCause() : error;
        if (cause == null) {
            return "bytes " + Arrays.toString(bytes);
        }
        if (cause instanceof dev.loopkit.streams.LimitOverrunException overrun) {
            return "LimitOverrunError(" + overrun.getMessage() + ", consumed " + overrun.consumed() + ")";
        }
        if (cause instanceof IncompleteReadException incomplete) {
            return "IncompleteReadError(partial " + Arrays.toString(incomplete.partial()) + ", expected " + incomplete.expected() + ")";
        }
        if (cause instanceof IllegalArgumentException valueError) {
            return "ValueError(" + valueError.getMessage() + ")";
        }
        return String.valueOf(cause);
    }

    // asyncio 3.12's StreamReader on a buffer that has had its EOF: the outcome of the call, the buffer changed as it changes it.
    private static String asyncio(List<Byte> buffer, int limit, Call call) {
        switch (call.name()) {
            case "read": {
                List<Byte> taken = new ArrayList<>(buffer.subList(0, Math.min(call.n(), buffer.size())));
                buffer.subList(0, taken.size()).clear();
                return "bytes " + taken;
            }
            case "readexactly": {
                if (buffer.size() < call.n()) {
                    String partial = buffer.toString();
                    buffer.clear();
                    return "IncompleteReadError(partial " + partial + ", expected " + call.n() + ")";
                }
                List<Byte> taken = new ArrayList<>(buffer.subList(0, call.n()));
                buffer.subList(0, call.n()).clear();
                return "bytes " + taken;
            }
            case "readline": {
                String until = asyncioReaduntil(buffer, limit, new byte[] {'\n'});
                if (until.startsWith("IncompleteReadError(partial ")) {
                    return "bytes " + until.substring("IncompleteReadError(partial ".length(), until.indexOf(", expected"));
                }
                if (until.startsWith("LimitOverrunError(")) {
                    int consumed = Integer.parseInt(until.substring(until.lastIndexOf(' ') + 1, until.length() - 1));
                    if (consumed < buffer.size() && buffer.get(consumed) == '\n') {
                        buffer.subList(0, consumed + 1).clear();
                    } else {
                        buffer.clear();
                    }
                    return "ValueError(" + until.substring("LimitOverrunError(".length(), until.indexOf(", consumed")) + ")";
                }
                return until;
            }
            default:
                return asyncioReaduntil(buffer, limit, call.separator());
        }
    }

    private static String asyncioReaduntil(List<Byte> buffer, int limit, byte[] separator) {
        int isep = -1;
        if (buffer.size() >= separator.length) {
            isep = indexOf(toArray(buffer), separator);
            if (isep == -1) {
                int offset = buffer.size() + 1 - separator.length;
                if (offset > limit) {
                    return "LimitOverrunError(Separator is not found, and chunk exceed the limit, consumed " + offset + ")";
                }
            }
        }
        if (isep == -1) {
            String partial = buffer.toString();
            buffer.clear();
            return "IncompleteReadError(partial " + partial + ", expected null)";
        }
        if (isep > limit) {
            return "LimitOverrunError(Separator is found, but chunk is longer than limit, consumed " + isep + ")";
        }
        List<Byte> taken = new ArrayList<>(buffer.subList(0, isep + separator.length));
        buffer.subList(0, taken.size()).clear();
        return "bytes " + taken;
    }

    private static byte[] toArray(List<Byte> bytes) {
        byte[] array = new byte[bytes.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = bytes.get(i);
        }
        return array;
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
