package dev.loopkit.watcher.tests;

import static dev.loopkit.loop.testing.LoopTestSupport.runFor;
import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A program path and a working directory with non-ASCII names; the "ascii-locale" execution runs it
 * again with the JVM's charset ASCII (a C locale). Python (PEP 538/540) encodes the executable and the
 * cwd with os.fsencode, as it does argv: UTF-8 in a C locale. Before, they went to the C library in the
 * JVM's charset, their non-ASCII characters turned to '?', and the spawn failed naming the wrong file.
 */
public class NonAsciiPathsTest {

    private SelectorEventLoop loop;
    private Path dir;

    @Before
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("loopkit-d\u00e9j\u00e0-");
        loop = new SelectorEventLoop();
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        ThreadedChildWatcher watcher = new ThreadedChildWatcher();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
    }

    @After
    public void tearDown() {
        Asyncio.setChildWatcher(null);
        Asyncio.setEventLoopPolicy(null);
        loop.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private int exit(List<String> argv, SubprocessOptions options) {
        return runFor(loop, Subprocesses.createSubprocessExec(loop, argv, options, 1024)
                .thenCompose(p -> p.communicate(null).thenCompose(o -> p.waitFor())));
    }

    @Test
    public void aProgramWithANonAsciiPathRuns() throws Exception {
        Path program = dir.resolve("vrai-\u00e9");
        Files.copy(Path.of("/bin/true"), program, StandardCopyOption.COPY_ATTRIBUTES);
        assertEquals(0, exit(List.of(program.toString()), SubprocessOptions.defaults()));
    }

    @Test
    public void aNonAsciiWorkingDirectoryIsEntered() throws Exception {
        byte[] out = runFor(loop, Subprocesses.createSubprocessExec(loop, List.of("/bin/pwd"), SubprocessOptions.defaults().withCwd(dir), 1024)
                .thenCompose(p -> p.communicate(null))).stdout();
        assertEquals(dir + "\n", new String(out, StandardCharsets.UTF_8));
    }
}
