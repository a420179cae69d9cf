package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * asyncio's {@code _check_sendfile_params} for any offset and count: refused exactly when the offset
 * is negative or the count not positive ({@code null}: to the end of the file), in asyncio's words,
 * the count checked first as asyncio does.
 */
class SendfileParamsPropertyTest {

    private static Path file;
    private static FileChannel channel;

    @BeforeContainer
    static void open() throws IOException {
        file = Files.createTempFile("loopkit-sendfile", ".bin");
        channel = FileChannel.open(file);
    }

    @AfterContainer
    static void close() throws IOException {
        channel.close();
        Files.delete(file);
    }

    @Property
    void refusedExactlyWhenAsyncioRefuses(@ForAll long offset, @ForAll Long count) {
        if (count != null && count <= 0) {
            assertEquals("count must be a positive integer (got " + count + ")",
                    assertThrows(IllegalArgumentException.class, () -> Sendfile.checkParams(channel, offset, count)).getMessage());
        } else if (offset < 0) {
            assertEquals("offset must be a non-negative integer (got " + offset + ")",
                    assertThrows(IllegalArgumentException.class, () -> Sendfile.checkParams(channel, offset, count)).getMessage());
        } else {
            Sendfile.checkParams(channel, offset, count); // accepted
        }
    }
}
