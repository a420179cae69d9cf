/**
 * The base of Loopkit's child watchers: {@link dev.loopkit.watcher.base.AbstractChildWatcher} (the
 * handler table, asyncio's "reaped by someone else" rule) and
 * {@link dev.loopkit.watcher.base.SigchldChildWatcher} (asyncio's {@code BaseChildWatcher}: SIGCHLD
 * through the attached loop).
 */
@Export
@Version("1.0.0")
package dev.loopkit.watcher.base;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
