package dev.loopkit.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A data folder that cannot be one is refused in a sentence that names it and says why: an admin got
 * {@code loopkit: java.nio.file.FileAlreadyExistsException: /tmp/.../afile} (an outside review).
 */
public class DataLockTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void aFileWhereTheDataFolderShouldBeIsRefusedInASentence() throws Exception {
        Path file = folder.newFile("afile").toPath();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataLock.acquire(file));
        assertEquals("the data folder " + file + " cannot be used: " + file + " is a file, not a folder (LOOPKIT_DATA names"
                + " another)", e.getMessage());
    }

    @Test
    public void aFolderThatCannotBeMadeIsRefusedInASentence() {
        Path nowhere = Path.of("/proc/nope");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataLock.acquire(nowhere));
        assertEquals("the data folder /proc/nope cannot be used: /proc/nope does not exist and cannot be made (LOOPKIT_DATA"
                + " names another)", e.getMessage());
    }
}
