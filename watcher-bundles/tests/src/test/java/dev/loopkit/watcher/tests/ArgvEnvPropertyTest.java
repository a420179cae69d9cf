package dev.loopkit.watcher.tests;

import static dev.loopkit.loop.testing.LoopTestSupport.runFor;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.subprocess.Subprocess;
import dev.loopkit.subprocess.Subprocesses;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Arguments and environments reach a real child byte for byte (UTF-8, as the JVM here encodes them):
 * any strings without NUL, empty ones, spaces, quotes, shell metacharacters and non-ASCII text among
 * them. A string holding NUL cannot be a C string, and is refused with asyncio's words
 * ({@code ValueError: embedded null byte}) before anything is spawned.
 */
class ArgvEnvPropertyTest {

    private SelectorEventLoop loop;

    @BeforeProperty
    void installWatcher() {
        loop = new SelectorEventLoop();
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        ThreadedChildWatcher watcher = new ThreadedChildWatcher();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
    }

    @AfterProperty
    void removeWatcher() {
        Asyncio.setChildWatcher(null);
        Asyncio.setEventLoopPolicy(null);
        loop.close();
        assertEquals("children left behind", List.of(), ProcessHandle.current().children().map(ProcessHandle::pid).toList());
    }

    /** Any text without NUL: every code point but the surrogates (which no encoding keeps alone), often the tricky ones. */
    @Provide
    Arbitrary<String> text() {
        Arbitrary<Integer> tricky = Arbitraries.of(" ", "\t", "\n", "'", "\"", "\\", "$", "`", "*", "%", "-", "=", "é", "日", "😀")
                .map(s -> s.codePointAt(0));
        Arbitrary<Integer> any = Arbitraries.integers().between(1, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
        return Arbitraries.oneOf(tricky, any).list().ofMaxSize(12)
                .map(codePoints -> codePoints.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                        StringBuilder::append).toString());
    }

    /** A variable name: any text without NUL or '=', not empty. */
    @Provide
    Arbitrary<String> name() {
        return text().filter(s -> s.indexOf('=') < 0); // the empty name too: Python passes it
    }

    @Property(tries = 40)
    void argumentsReachTheChildByteForByte(@ForAll("argv") List<String> args) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "printf '%s\\0' \"$@\"", "sh"));
        argv.addAll(args);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        if (args.isEmpty()) {
            expected.write(0); // printf uses its format once even with no argument
        }
        args.forEach(arg -> {
            expected.writeBytes(arg.getBytes(StandardCharsets.UTF_8));
            expected.write(0);
        });
        assertArrayEquals(expected.toByteArray(), stdoutOf(argv, SubprocessOptions.defaults()));
    }

    @Provide
    Arbitrary<List<String>> argv() {
        return Arbitraries.oneOf(Arbitraries.just(""), text()).list().ofMaxSize(8);
    }

    @Property(tries = 40)
    void anEnvironmentReachesTheChildByteForByte(@ForAll("environment") Map<String, String> env) {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        env.forEach((name, value) -> {
            expected.writeBytes((name + "=" + value).getBytes(StandardCharsets.UTF_8));
            expected.write(0);
        });
        byte[] printed = stdoutOf(List.of("/usr/bin/env", "-0"), SubprocessOptions.defaults().withEnv(env));
        assertEquals(sorted(entries(expected.toByteArray())), sorted(entries(printed)));
    }

    @Provide
    Arbitrary<Map<String, String>> environment() {
        return Arbitraries.maps(name(), Arbitraries.oneOf(Arbitraries.just(""), text())).ofMaxSize(6);
    }

    @Property(tries = 20)
    void aNulInAnArgumentOrTheEnvironmentIsRefusedAsAsyncioRefusesIt(@ForAll("argv") List<String> args,
            @ForAll("text") String before, @ForAll("text") String after, @ForAll @IntRange(max = 2) int where) {
        String withNul = before + '\0' + after;
        Throwable refused = refusedWith(args, withNul, where);
        assertTrue(refused.getMessage(), refused.getMessage().startsWith("embedded null byte")
                || where == 2 && refused.getMessage().startsWith("illegal environment variable name"));
    }

    // A spawn of echo with `text` as an argument (where 0), a variable's value (1) or its name (2): what
    // it failed with, after checking it is asyncio's ValueError and that nothing was spawned.
    private Throwable refusedWith(List<String> args, String text, int where) {
        List<String> argv = new ArrayList<>(List.of("/bin/echo"));
        argv.addAll(args);
        SubprocessOptions options = SubprocessOptions.defaults();
        switch (where) {
            case 0 -> argv.add(text);
            case 1 -> options = options.withEnv(Map.of("NAME", text));
            default -> options = options.withEnv(Map.of(text, "value"));
        }
        SubprocessOptions chosen = options;
        Throwable refused = failureOf(() -> Subprocesses.createSubprocessExec(loop, argv, chosen, 64 * 1024));
        assertTrue(String.valueOf(refused), refused instanceof IllegalArgumentException);
        assertEquals("nothing spawned", List.of(), ProcessHandle.current().children().map(ProcessHandle::pid).toList());
        return refused;
    }

    /**
     * A lone surrogate has no UTF-8 form: Python's {@code os.fsencode} refuses it ("surrogates not
     * allowed") and spawns nothing. Before, {@code String.getBytes} sent {@code '?'} without a word.
     */
    @Property(tries = 20)
    void aLoneSurrogateInAnArgumentOrTheEnvironmentIsRefusedAsPythonRefusesIt(@ForAll("text") String before,
            @ForAll("text") String after, @ForAll @CharRange(from = Character.MIN_SURROGATE, to = Character.MAX_SURROGATE) char surrogate,
            @ForAll @IntRange(max = 2) int where) {
        Throwable refused = refusedWith(List.of(), before + surrogate + after, where);
        assertTrue(refused.getMessage(), refused.getMessage().endsWith("surrogates not allowed")
                || where == 2 && refused.getMessage().startsWith("illegal environment variable name")); // an '=' in it
    }

    /**
     * Python's subprocess refuses only a name with '=' in it ("illegal environment variable name"):
     * an empty name reaches the child as "=value". It was refused here.
     */
    @Example
    void anEmptyVariableNameReachesTheChildAsPythonPassesIt() {
        byte[] printed = stdoutOf(List.of("/usr/bin/env", "-0"), SubprocessOptions.defaults().withEnv(Map.of("", "x")));
        assertEquals(List.of("=x"), entries(printed));
    }

    /** {@code cwd=""}: Python names the empty directory ("No such file or directory: ''"), not the program. */
    @Example
    void anEmptyWorkingDirectoryIsNamed() {
        Throwable refused = failureOf(() -> Subprocesses.createSubprocessExec(loop, List.of("/bin/true"),
                SubprocessOptions.defaults().withCwd(java.nio.file.Path.of("")), 64 * 1024));
        assertEquals("No such file or directory: ''", refused.getMessage());
    }

    private static List<String> sorted(List<String> entries) {
        return entries.stream().sorted().toList();
    }

    /** The entries of {@code env -0}'s output, in order. */
    private static List<String> entries(byte[] nulTerminated) {
        List<String> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < nulTerminated.length; i++) {
            if (nulTerminated[i] == 0) {
                entries.add(new String(nulTerminated, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        assertEquals("output ends with a NUL", nulTerminated.length, start);
        return entries;
    }

    private byte[] stdoutOf(List<String> argv, SubprocessOptions options) {
        return runFor(loop, Subprocesses.createSubprocessExec(loop, argv, options, 64 * 1024)
                .thenCompose(process -> process.communicate(null).thenCombine(process.waitFor(), (output, code) -> {
                    assertEquals("exit code; stderr: " + new String(output.stderr(), StandardCharsets.UTF_8),
                            Integer.valueOf(0), code);
                    return output.stdout();
                })));
    }

    private Throwable failureOf(Supplier<? extends CompletionStage<Subprocess>> spawn) {
        try {
            runFor(loop, spawn.get());
        } catch (CompletionException e) {
            return e.getCause();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("spawned");
    }
}
