package dev.loopkit.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One platform per data directory. A second {@code bin/loopkit} on the same {@code LOOPKIT_DATA} wiped
 * the first one's bundle cache as it started ({@code org.osgi.framework.storage.clean=onFirstInit}),
 * and each overwrote the other's saved choices, nobody told (an outside review: cache errors in 4 of 4
 * concurrent starts). The lock is the kernel's ({@code fcntl}), so it goes with the JVM however it ends.
 */
final class DataLock {

    static final String FILE = "loopkit.lock";

    /** Held for the life of the JVM: closing the channel would release the lock. */
    private static FileChannel held;

    private DataLock() {
    }

    /** @throws IllegalStateException when another process holds the directory, naming its pid */
    static synchronized void acquire(Path data) throws IOException {
        Path file = data.resolve(FILE);
        FileChannel channel;
        try {
            Files.createDirectories(data);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (FileSystemException unusable) {
            // said as a sentence: the exception's class name was all an admin got (an outside review)
            throw new IllegalStateException("the data folder " + data + " cannot be used: " + why(unusable)
                    + " (LOOPKIT_DATA names another)");
        }
        FileLock lock = channel.tryLock();
        if (lock == null) {
            String owner = Files.readString(file, StandardCharsets.UTF_8).strip();
            channel.close();
            throw new IllegalStateException("another Loopkit" + (owner.isEmpty() ? "" : " (pid " + owner + ")") + " runs on "
                    + data + ": stop it, or give this one its own LOOPKIT_DATA");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
        held = channel;
    }

    private static String why(FileSystemException e) {
        if (e instanceof FileAlreadyExistsException) {
            return e.getFile() + " is a file, not a folder";
        }
        if (e instanceof NoSuchFileException) {
            return e.getFile() + " does not exist and cannot be made";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied on " + e.getFile();
        }
        return e.getMessage();
    }
}
