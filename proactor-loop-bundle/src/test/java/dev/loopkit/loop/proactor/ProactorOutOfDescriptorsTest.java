package dev.loopkit.loop.proactor;

import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * The loop's channel group is made at its first socket: with no descriptor left, {@code openSocketChannel()}
 * throws the {@code IOException} it declares, naming the system's error, as opening the socket itself
 * would. It threw an {@code UncheckedIOException} no caller of that method expects.
 */
public class ProactorOutOfDescriptorsTest {

    @Test(timeout = 60_000)
    public void theFirstSocketWithNoDescriptorLeftThrowsTheIOExceptionItDeclares() throws IOException {
        ProactorEventLoop loop = new ProactorEventLoop();
        try {
            IOException refused;
            List<FileChannel> held = new ArrayList<>();
            try {
                try {
                    while (true) {
                        held.add(FileChannel.open(Path.of("/dev/null")));
                    }
                } catch (IOException outOfDescriptors) {
                    assertTrue(outOfDescriptors.toString(), String.valueOf(outOfDescriptors.getMessage()).contains("Too many open files"));
                }
                refused = assertThrows(IOException.class, loop::openSocketChannel);
            } finally {
                for (FileChannel channel : held) {
                    channel.close();
                }
            }
            assertTrue(refused.getMessage(), refused.getMessage().startsWith("cannot create the loop's asynchronous channel group: "));
            assertTrue(refused.getMessage(), refused.getMessage().contains("Too many open files"));
            loop.openSocketChannel().close(); // and once descriptors are free again, it can
        } finally {
            loop.close();
        }
    }
}
