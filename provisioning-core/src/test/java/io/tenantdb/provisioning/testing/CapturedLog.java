package io.tenantdb.provisioning.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what one logger (and the loggers below it) writes, at every level, from {@link #of(String)} until
 * {@link #close()}: the library logs through {@link System.Logger}, which the JDK backs with
 * {@code java.util.logging}. The one log-capture helper of the test suites. Thread-safe.
 */
public final class CapturedLog implements AutoCloseable {

    private final Logger logger;
    private final Level previousLevel;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLog(String loggerName) {
        this.logger = Logger.getLogger(loggerName);
        this.previousLevel = logger.getLevel();
        handler.setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** Starts capturing {@code loggerName}, e.g. a class name or a package such as {@code io.tenantdb}. */
    public static CapturedLog of(String loggerName) {
        return new CapturedLog(loggerName);
    }

    /** Every record so far, in order. */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Each record's formatted message, in order. */
    public List<String> messages() {
        return records.stream().map(formatter::formatMessage).toList();
    }

    /** Everything as a handler would write it, throwables included. */
    public String text() {
        StringBuilder text = new StringBuilder();
        records.forEach(record -> text.append(formatter.format(record)));
        return text.toString();
    }

    /** Stops capturing and restores the logger's level. */
    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
