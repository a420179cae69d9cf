/**
 * The {@code loop:} shell commands, independent of the shell: {@link dev.loopkit.shell.LoopCommands}
 * produces what each command prints (the Felix Gogo commands of this bundle and the Karaf actions
 * of {@code dev.loopkit.karaf} only parse arguments and print); switches are saved through the
 * {@link dev.loopkit.platform.ChoiceStore} service of bundle {@code dev.loopkit.platform}, in
 * configuration {@value dev.loopkit.platform.PlatformConfiguration#PID}. A {@code loop:run} ends
 * before the platform stops ({@link dev.loopkit.shell.PlatformStop}; in OSGi,
 * {@link dev.loopkit.shell.FrameworkStop}).
 *
 * <p>Adding a command for another ranked registry (child watchers: {@code loop:watchers},
 * {@code loop:watcher [name]}, {@code loop:reset-watcher}) takes a
 * {@link dev.loopkit.shell.LoopCommands.Topic} constant (registry, configuration key, hint
 * about the explicit choice) and one-line methods calling {@code list}, {@code status},
 * {@code choose} and {@code reset}, then a Gogo method and a Karaf action that call them.
 */
@Export
@Version("1.3.0")
package dev.loopkit.shell;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
