package dev.loopkit.benchmarks.e2e;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.posix.Posix;
import dev.loopkit.watcher.fast.FastChildWatcher;
import dev.loopkit.watcher.multiloop.MultiLoopChildWatcher;
import dev.loopkit.watcher.pidfd.PidfdChildWatcher;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import dev.loopkit.watcher.threaded.ThreadedChildWatcher;
import java.util.List;

/** The five watchers by name, installed as the watcher-bundles suite installs them. */
public final class ChildWatchers {

    public static final List<String> ALL = List.of("threaded", "multiloop", "safe", "fast", "pidfd");

    /** Those that work here: all but pidfd where the kernel (or {@code LOOPKIT_PIDFD=off}) has no pidfds. */
    public static List<String> available() {
        return Posix.get().pidfdSupported() ? ALL : ALL.stream().filter(name -> !name.equals("pidfd")).toList();
    }

    /** No pipes: the child's stdin, stdout and stderr are /dev/null, in every peer. */
    public static final SubprocessOptions NO_PIPES = SubprocessOptions.defaults()
            .withStdin(Redirect.DEVNULL).withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);

    private ChildWatchers() {
    }

    public static ChildWatcher create(String name) {
        return switch (name) {
            case "threaded" -> new ThreadedChildWatcher();
            case "multiloop" -> new MultiLoopChildWatcher();
            case "safe" -> new SafeChildWatcher();
            case "fast" -> new FastChildWatcher();
            case "pidfd" -> new PidfdChildWatcher();
            default -> throw new IllegalArgumentException("unknown watcher " + name + "; known: " + ALL);
        };
    }

    /**
     * A default policy with {@code watcher} as its child watcher, made process-wide, and the watcher
     * attached to {@code loop} (safe and fast reap through its SIGCHLD handler, so it must run).
     */
    public static ChildWatcher install(String name, EventLoop loop) {
        ChildWatcher watcher = create(name);
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        policy.setChildWatcher(watcher);
        Asyncio.setEventLoopPolicy(policy);
        watcher.attachLoop(loop);
        return watcher;
    }

    public static void uninstall(ChildWatcher watcher) {
        Asyncio.setChildWatcher(null); // closes it, as asyncio does
        watcher.close();
        Asyncio.setEventLoopPolicy(null);
    }
}
