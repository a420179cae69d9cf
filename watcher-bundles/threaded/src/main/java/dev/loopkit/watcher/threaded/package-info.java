/** asyncio's {@code ThreadedChildWatcher}. */
@Export
@Version("1.0.0")
package dev.loopkit.watcher.threaded;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
