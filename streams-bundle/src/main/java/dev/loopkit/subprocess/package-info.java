/**
 * asyncio's {@code asyncio.subprocess}: {@link dev.loopkit.subprocess.Subprocess} (asyncio's
 * {@code Process}) with stream access to the child's stdin, stdout and stderr, made by
 * {@link dev.loopkit.subprocess.Subprocesses#createSubprocessExec} and
 * {@link dev.loopkit.subprocess.Subprocesses#createSubprocessShell}; 2.0.0 as their short forms
 * leave the child the parent's standard streams, as asyncio's do, where they piped all three.
 */
@Export
@Version("2.0.0")
package dev.loopkit.subprocess;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
