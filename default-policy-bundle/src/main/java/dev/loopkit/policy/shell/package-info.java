/**
 * The {@code loop:} shell commands, independent of the shell: {@link dev.loopkit.policy.shell.LoopCommands}
 * produces what each command prints (the Felix Gogo commands of this bundle and the Karaf actions
 * of {@code dev.loopkit.karaf} only parse arguments and print), and
 * {@link dev.loopkit.policy.shell.ChoiceStore} saves the operator's choices in configuration
 * {@code dev.loopkit.policy}; this bundle publishes a ConfigAdmin-backed {@code ChoiceStore} service.
 *
 * <p>Adding a command for another ranked registry (child watchers: {@code loop:watchers},
 * {@code loop:watcher [name]}, {@code loop:reset-watcher}) takes a
 * {@link dev.loopkit.policy.shell.LoopCommands.Topic} constant (registry, configuration key, hint
 * about the explicit choice) and one-line methods calling {@code list}, {@code status},
 * {@code choose} and {@code reset}, then a Gogo method and a Karaf action that call them.
 */
@Export
@Version("1.0.0")
package dev.loopkit.policy.shell;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
