/** asyncio's {@code PidfdChildWatcher}. */
@Export
@Version("1.0.0")
package dev.loopkit.watcher.pidfd;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
