package dev.loopkit.examples;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.subprocess.Subprocesses;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * asyncio's {@code asyncio.run(main())} with a child process: the policy, the loop and the child
 * watcher all come from the module path through ServiceLoader (the watcher is the pidfd one where
 * the kernel allows it, as in asyncio 3.12).
 */
public final class RunChild {

    private RunChild() {
    }

    public static void main(String[] args) {
        System.out.println("watcher: " + Asyncio.getChildWatcher().getClass().getName());
        String report = Asyncio.run(loop -> Subprocesses.createSubprocessExec(loop,
                        List.of("/bin/sh", "-c", "echo child says hi; exit 3"), SubprocessOptions.defaults(), 64 * 1024)
                .thenCompose(child -> child.communicate(null).thenApply(output ->
                        new String(output.stdout(), StandardCharsets.UTF_8).strip() + ", returncode " + child.returncode())));
        System.out.println(report);
    }
}
