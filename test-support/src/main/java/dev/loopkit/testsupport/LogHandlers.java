package dev.loopkit.testsupport;

import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/** java.util.logging handlers for tests: what the code under test logs, as a log handler (user code) sees it. */
public final class LogHandlers {

    private LogHandlers() {
    }

    /** A handler that gives every record to {@code onRecord}, on the thread that logs it. */
    public static Handler calling(Consumer<LogRecord> onRecord) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                onRecord.accept(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }
}
