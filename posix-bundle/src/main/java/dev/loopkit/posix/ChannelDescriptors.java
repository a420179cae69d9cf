package dev.loopkit.posix;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds the descriptor behind a JDK {@link FileChannel}, which the JDK does not give out (its
 * {@code FileDescriptor} is private, and reaching it needs {@code --add-opens java.base}, which an
 * OSGi bundle cannot ask of its host). The channel's position is the kernel's file offset of its open
 * file ({@code lseek}), and only descriptors of that same open file see it move: so the channel is
 * moved to a marker position no file is at, the one descriptor of {@code /proc/self/fd} at the
 * marker is duplicated, the channel moved to a second marker, and the duplicate must be there too
 * (which only the same open file can be), then the channel's position is put back.
 */
final class ChannelDescriptors {

    /**
     * Markers lie in [2^39, 2^40): far past any file a test or a server sends, yet below the largest
     * file size of the common file systems (ext4 with 1 KiB blocks: 2^42), where {@code lseek} would
     * refuse with EINVAL; a file system that refuses anyway (FAT: 4 GiB) finds nothing.
     */
    private static final long MARKERS_FROM = 1L << 39;

    private final Posix posix;

    ChannelDescriptors(Posix posix) {
        this.posix = posix;
    }

    /**
     * A new descriptor (close-on-exec) of the open file behind {@code file}, or -1 where none is found.
     * The channel may be closed meanwhile (by another thread: the user's file handed to a sendfile): the
     * look then fails as the channel does, and the duplicate made is closed, whichever move failed.
     */
    int duplicate(FileChannel file) throws IOException {
        long original = file.position();
        int found = -1;
        try {
            found = find(file);
        } finally {
            try {
                file.position(original);
            } catch (IOException | RuntimeException | Error e) {
                posix.closeQuietly(found);
                throw e;
            }
        }
        return found;
    }

    private int find(FileChannel file) throws IOException {
        long marker = MARKERS_FROM + ThreadLocalRandom.current().nextLong(MARKERS_FROM - 2);
        try {
            file.position(marker);
        } catch (IOException beyondTheFileSystemsLimit) {
            return -1;
        }
        for (int fd : openDescriptors()) {
            if (posix.seekPosition(fd) != marker) {
                continue;
            }
            int copy = posix.duplicateDescriptor(fd);
            if (copy < 0) {
                continue; // closed meanwhile
            }
            boolean same = false;
            try {
                file.position(marker + 1);
                same = posix.seekPosition(copy) == marker + 1;
            } finally {
                if (!same) {
                    posix.closeQuietly(copy); // another file that happened to be at the marker, or the channel closed
                }
            }
            if (same) {
                return copy;
            }
            file.position(marker);
        }
        return -1;
    }

    private static List<Integer> openDescriptors() throws IOException {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : entries) {
                fds.add(Integer.valueOf(entry.getFileName().toString()));
            }
        }
        return fds;
    }
}
