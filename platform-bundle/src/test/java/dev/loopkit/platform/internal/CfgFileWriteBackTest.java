package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The file written back: whole or not at all, its permissions kept, untouched when it already says the same. */
public class CfgFileWriteBackTest {

    private Path directory;
    private Path file;

    @Before
    public void setUp() throws Exception {
        directory = Files.createTempDirectory("cfg-write-back");
        file = directory.resolve("dev.loopkit.policy.cfg");
    }

    @After
    public void tearDown() throws Exception {
        try (Stream<Path> left = Files.list(directory)) {
            for (Path path : left.toList()) {
                Files.delete(path);
            }
        }
        Files.delete(directory);
    }

    @Test
    public void aFileThatAlreadySaysItIsNotWritten() throws Exception {
        Files.writeString(file, "# mine\npolicy = \"selector\"\n".replace("\"", ""));
        Object identity = Files.readAttributes(file, "unix:ino").get("ino");
        assertFalse(CfgFileWriteBack.writeIfChanged(file, Map.of("policy", "selector"), StandardCharsets.ISO_8859_1));
        assertEquals(identity, Files.readAttributes(file, "unix:ino").get("ino"));
    }

    @Test
    public void aReaderNeverSeesTheFileHalfWritten() throws Exception {
        List<Map<String, String>> choices = List.of(Map.of("policy", "selector", "watcher", "threaded"),
                Map.of("policy", "proactor", "watcher", "safe"));
        Files.writeString(file, "# chosen by hand\npolicy = selector\nwatcher = threaded\n");
        AtomicReference<String> torn = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted() && torn.get() == null) {
                try {
                    String text = Files.readString(file, StandardCharsets.ISO_8859_1);
                    if (!choices.contains(CfgFileText.values(text)) || !text.startsWith("# chosen by hand\n")) {
                        torn.set(text);
                    }
                } catch (Exception e) {
                    torn.set(e.toString());
                }
            }
        });
        reader.start();
        try {
            for (int write = 0; write < 2_000 && torn.get() == null; write++) {
                assertTrue(CfgFileWriteBack.writeIfChanged(file, choices.get((write + 1) % 2), StandardCharsets.ISO_8859_1));
            }
        } finally {
            reader.interrupt();
            reader.join();
        }
        assertNull("a reader saw: " + torn.get(), torn.get());
        try (Stream<Path> left = Files.list(directory)) {
            assertEquals("no temporary file left", List.of(file), left.toList());
        }
    }

    @Test
    public void theFileKeepsItsPermissions() throws Exception {
        Files.writeString(file, "policy = selector\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertTrue(CfgFileWriteBack.writeIfChanged(file, Map.of("policy", "epoll"), StandardCharsets.ISO_8859_1));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("policy = epoll\n", Files.readString(file));
    }

    @Test
    public void fileInstallNamesTheFileByItsUri() {
        assertEquals(file, CfgFileWriteBack.fileOf(file.toUri().toString()));
        assertEquals(file, CfgFileWriteBack.fileOf(file.toString()));
        assertNull(CfgFileWriteBack.fileOf(null));
    }
}
