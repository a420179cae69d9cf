/** asyncio's {@code SafeChildWatcher}. */
@Export
@Version("1.0.0")
package dev.loopkit.watcher.safe;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
