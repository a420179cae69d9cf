package dev.loopkit.shell;

/**
 * What a {@code loop:} listing prints: a table, then the line under it that sums it up (which entry
 * is process-wide and why, how many loops or children).
 *
 * @param table the rows
 * @param summary the line under the table, without a line break
 */
public record Report(TextTable table, String summary) {

    /** The text of the shell command: the table, then the summary. */
    @Override
    public String toString() {
        return table + summary;
    }
}
