/** asyncio's {@code FastChildWatcher}. */
@Export
@Version("1.0.0")
package dev.loopkit.watcher.fast;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
