/**
 * The process-wide machinery behind {@link dev.loopkit.api.LoopkitRuntime}: ranked registries,
 * choice rules, main context, watcher switch. For the platform and the shell; providers of policies,
 * loops and watchers need only {@code dev.loopkit.api.spi}.
 */
@Export
@Version("1.1.0")
package dev.loopkit.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
