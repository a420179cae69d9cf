package dev.loopkit.loop.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Collects what a java.util.logging logger (where System.Logger writes) receives during a test. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final boolean parentHandlers;
    private final List<LogRecord> records = new ArrayList<>();

    // While capturing, the records do not also go to the console: expected errors are not noise.
    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        parentHandlers = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
        setLevel(Level.ALL);
    }

    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    /** Messages as formatted, with their level: "WARNING There is no current event loop". */
    public synchronized List<String> messages() {
        List<String> out = new ArrayList<>();
        Formatter formatter = new SimpleFormatter();
        for (LogRecord record : records) {
            out.add(record.getLevel() + " " + formatter.formatMessage(record));
        }
        return out;
    }

    public synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentHandlers);
    }
}
