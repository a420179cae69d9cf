/** asyncio's {@code MultiLoopChildWatcher}. */
@Export
@Version("1.0.0")
package dev.loopkit.watcher.multiloop;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
