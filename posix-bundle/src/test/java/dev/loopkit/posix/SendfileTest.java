package dev.loopkit.posix;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** {@code sendfile(2)} from a file to a socket, and the descriptor of a JDK {@code FileChannel}. */
public class SendfileTest extends PosixTestSupport {

    private final Sockets sockets = Posix.get().sockets();
    private final byte[] content = new byte[1_000_000];
    private Path file;

    @Before
    public void writeFile() throws IOException {
        new Random(1).nextBytes(content);
        file = Files.write(Files.createTempFile("sendfile", ".bin"), content);
    }

    @After
    public void deleteFile() throws IOException {
        Files.delete(file);
    }

    /** {client, accepted}, connected over loopback with small buffers; the listener is closed already. */
    private int[] connectedPair() throws Exception {
        int[] fds = connectedPair(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        posix.close(fds[0]);
        // small buffers, so that the file does not fit in them (loopback takes megabytes by default)
        sockets.setOption(fds[1], StandardSocketOptions.SO_SNDBUF, 64 * 1024);
        sockets.setOption(fds[2], StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        return new int[] {fds[1], fds[2]};
    }

    @Test
    public void aFileChannelsDescriptorIsFoundDuplicatedAndItsPositionKept() throws Exception {
        try (FileChannel channel = FileChannel.open(file); FileChannel other = FileChannel.open(file)) {
            channel.position(4242);
            other.position(4242); // the same file at the same position: told apart all the same
            int fd = posix.duplicateDescriptor(channel);
            assertTrue("found", fd >= 0);
            try {
                assertEquals("the channel's position is back", 4242, channel.position());
                assertEquals(4242, other.position());
                channel.position(99);
                assertEquals("the duplicate shares the channel's open file, not other's", 99, posix.seekPosition(fd));
            } finally {
                posix.close(fd);
            }
            assertTrue("the channel stays open", channel.isOpen());
            assertEquals(99, channel.position());
        }
    }

    /**
     * The channel closed by another thread while its descriptor is looked for (the user's file handed to
     * a sendfile, closed meanwhile): the look fails as the channel does, and leaves no descriptor open,
     * at whichever of its moves the close comes. The one after the duplicate was made left the duplicate
     * open before (the class's rule fails the case).
     */
    @Test
    public void aFileChannelClosedWhileItsDescriptorIsLookedForLeavesNoDescriptor() throws Exception {
        for (int closeAt = 1; closeAt <= 3; closeAt++) {
            FileChannel channel = new ClosingFileChannel(FileChannel.open(file), closeAt);
            try {
                assertThrows("closed at move " + closeAt, ClosedChannelException.class,
                        () -> posix.duplicateDescriptor(channel));
            } finally {
                channel.close();
            }
        }
    }

    @Test
    public void sendfileSendsAWindowWithoutMovingTheFilesOffsetAndSaysWhenTheSocketIsFull() throws Exception {
        int[] pair = connectedPair();
        try (FileChannel channel = FileChannel.open(file)) {
            int fd = posix.duplicateDescriptor(channel);
            try {
                long sent = 0;
                long offset = 1000;
                while (true) {
                    long now = posix.sendfile(pair[0], fd, offset + sent, content.length - offset - sent);
                    if (now < 0) {
                        break; // EAGAIN: the socket's buffers are full
                    }
                    assertNotEquals("not at the end of the file yet", 0, now);
                    sent += now;
                    assertTrue("the socket takes less than the file", sent < content.length - offset);
                }
                assertEquals("the file's own offset is left alone", 0, channel.position());
                ByteBuffer received = ByteBuffer.allocate((int) sent);
                while (received.hasRemaining()) {
                    assertEquals(0, posix.awaitReadable(new int[] {pair[1]}, 10_000));
                    posix.read(pair[1], received);
                }
                assertArrayEquals(Arrays.copyOfRange(content, 1000, 1000 + (int) sent), received.array());
                assertEquals("0 at the end of the file", 0, posix.sendfile(pair[0], fd, content.length, 10));
            } finally {
                posix.close(fd);
            }
        } finally {
            posix.close(pair[0]);
            posix.close(pair[1]);
        }
    }

    @Test
    public void aSocketIsNoFileToSendFromAtAnOffset() throws Exception {
        int[] pair = connectedPair();
        try {
            PosixException refused = assertThrows(PosixException.class, () -> posix.sendfile(pair[0], pair[1], 0, 10));
            assertErrno("ESPIPE", refused); // a socket has no offset to read at
        } finally {
            posix.close(pair[0]);
            posix.close(pair[1]);
        }
    }
}
