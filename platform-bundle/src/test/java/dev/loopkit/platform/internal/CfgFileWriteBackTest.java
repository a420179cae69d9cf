package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
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

    /**
     * A configuration file that is a link (a shared file, a Kubernetes ConfigMap's mount) is written
     * where it points, and stays a link; the new text was renamed over the link, which became a plain
     * file while the shared one kept the old choice (an outside review).
     */
    @Test
    public void aLinkedFileIsWrittenWhereItPointsAndStaysALink() throws Exception {
        Path shared = Files.createTempDirectory("loopkit-shared").resolve("policy.cfg");
        Files.writeString(shared, "policy = default\n");
        Path link = file.resolveSibling("linked.cfg");
        Files.createSymbolicLink(link, shared);
        assertTrue(CfgFileWriteBack.writeIfChanged(link, Map.of("policy", "selector"), StandardCharsets.ISO_8859_1));
        assertTrue("still a link", Files.isSymbolicLink(link));
        assertEquals("policy = selector\n", Files.readString(shared));
    }

    /** The file keeps its owner and group where the platform may give them (it runs as root in a container). */
    @Test
    public void theFileKeepsItsOwnerAndGroup() throws Exception {
        Files.writeString(file, "policy = selector\n");
        var other = file.getFileSystem().getUserPrincipalLookupService();
        java.nio.file.attribute.UserPrincipal nobody;
        java.nio.file.attribute.GroupPrincipal nogroup;
        try {
            nobody = other.lookupPrincipalByName("nobody");
            nogroup = other.lookupPrincipalByGroupName("nogroup");
            Files.setOwner(file, nobody);
            Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(nogroup);
        } catch (IOException notPermitted) {
            org.junit.Assume.assumeNoException("giving the file to nobody:nogroup, as an admin's file would be owned,"
                    + " needs root, and this JVM runs as " + System.getProperty("user.name"), notPermitted);
            return;
        }
        assertTrue(CfgFileWriteBack.writeIfChanged(file, Map.of("policy", "epoll"), StandardCharsets.ISO_8859_1));
        var attributes = Files.readAttributes(file, java.nio.file.attribute.PosixFileAttributes.class);
        assertEquals(nobody, attributes.owner());
        assertEquals(nogroup, attributes.group());
    }

    @Test
    public void fileInstallNamesTheFileByItsUri() {
        assertEquals(file, CfgFileWriteBack.fileOf(file.toUri().toString()));
        assertEquals(file, CfgFileWriteBack.fileOf(file.toString()));
        assertNull(CfgFileWriteBack.fileOf(null));
    }
}
