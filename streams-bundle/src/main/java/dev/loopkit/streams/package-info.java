/**
 * asyncio's streams: {@link dev.loopkit.streams.StreamReader} and
 * {@link dev.loopkit.streams.StreamWriter} over any loop's transports, opened with
 * {@link dev.loopkit.streams.Streams#openConnection} and served with
 * {@link dev.loopkit.streams.Streams#startServer}.
 */
@Export
@Version("1.2.0")
package dev.loopkit.streams;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
